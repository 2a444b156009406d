"""Grading speed, side by side on the same submissions (printed, not asserted):
plain sequential `nbgrader autograde` against `nntrain grade --jobs 1` and `--jobs N`.

Usage: python benchmarks/grading.py [CHAPTER] [N_SUBMISSIONS]   (default 05_adam, 20)
Half of the submissions are the solution notebook, half the unsolved student version.
Runs in a temporary copy of the course, so the real gradebook is not touched.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nntrain.course.layout import find_root
from nntrain.grading.grade import grade


def main():
    chapter = sys.argv[1] if len(sys.argv) > 1 else "05_adam"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    root = find_root(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        shutil.copy(root / "nbgrader_config.py", course)
        shutil.copytree(root / "solutions", course / "solutions")
        shutil.copytree(root / "chapters", course / "chapters")
        (course / "autograder").mkdir()
        submitted = course / "autograder" / "submitted"
        for i in range(n):
            src = (root / "solutions" if i % 2 == 0 else root / "chapters") / chapter / f"{chapter}.ipynb"
            dest = submitted / f"student{i:03d}" / chapter
            dest.mkdir(parents=True)
            shutil.copy(src, dest / f"{chapter}.ipynb")
        env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
        nbg = [sys.executable, "-m", "nbgrader"]
        subprocess.run(nbg + ["generate_assignment", chapter, "--force",
                              f"--CourseDirectory.release_directory={tmp}/release"],
                       cwd=course, env=env, check=True, capture_output=True)
        t0 = time.perf_counter()
        proc = subprocess.run(nbg + ["autograde", chapter, "--force"], cwd=course, env=env,
                              capture_output=True, text=True)
        t_nbgrader = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:])
        from nntrain.grading import sandbox
        print(f"{n} submissions of {chapter} (sandbox: {sandbox.detect()})")
        print(f"  nbgrader autograde (sequential):  {t_nbgrader:6.1f} s")
        jobs = os.cpu_count() or 1
        times = {}
        for j in sorted({1, jobs}):
            t0 = time.perf_counter()
            grade(course, submitted, Path(tmp) / f"grades{j}.csv", feedback=Path(tmp) / f"fb{j}",
                  jobs=j, progress=False)
            times[j] = time.perf_counter() - t0
            print(f"  nntrain grade --jobs {j}:            {times[j]:6.1f} s "
                  f"({t_nbgrader / times[j]:.2f}x faster than nbgrader autograde)")


if __name__ == "__main__":
    main()
