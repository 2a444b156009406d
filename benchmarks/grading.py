"""Grading speed, side by side on the same submissions (printed, not asserted).

    python benchmarks/grading.py [--students 4] [--chapters ID ...] [--no-nbgrader]

Two classes of ``--students`` students, each handing in every chapter:

- **correct**: every notebook is the solution;
- **mixed**: a quarter each of solutions, unsolved student versions, solutions with the last
  exercise wrong, and hostile solutions (rebinding the checks, a kernel that dies, 20 MB of
  output), in turn.

For each: sequential ``nbgrader autograde`` (the correct class only: that is the ratio the
project tracks), ``nntrain grade --jobs 1`` and ``--jobs 2`` (kernels forked from the warm
factory, :mod:`nntrain.grading.warm`), and ``--jobs 2`` with every kernel started cold (a new
Python, as before the factory), with seconds per notebook, the
ratio, where the time goes per notebook (stages of :func:`nntrain.grading.grade.grade_one`
and of the batch), and the peak resident memory of the kernels.  Runs in a temporary copy of
the course, so the real gradebook is not touched.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from nntrain.contract import CONTRACT
from nntrain.course.layout import chapter_ids, find_root
from nntrain.course.notebook import nbgrader_meta
from nntrain.course.release import generate
from nntrain.grading import sandbox
from nntrain.grading.grade import grade
from nntrain.grading.records import Stopwatch

HOSTILE = ["import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n",
           "import os\nos._exit(3)\n",
           "print('x' * 20_000_000)\n"]


def _notebook(root: Path, chapter: str, kind: str, i: int):
    """One submission of ``kind``: solution, blank, wrong (last exercise is the stub), hostile."""
    folder = "chapters" if kind == "blank" else "solutions"
    nb = nbformat.read(root / folder / chapter / f"{chapter}.ipynb", as_version=4)
    last = CONTRACT[chapter][-1]
    if kind == "wrong":
        stub = nbformat.read(root / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
        source = next(c.source for c in stub.cells if nbgrader_meta(c).get("grade_id") == last)
        next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == last).source = source
    if kind == "hostile":
        next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == last).source += "\n" + HOSTILE[i % len(HOSTILE)]
    return nb


def _class(root: Path, course: Path, name: str, students: int, chapters: list) -> Path:
    kinds = ["solution"] if name == "correct" else ["solution", "blank", "wrong", "hostile"]
    submitted = course / "autograder" / f"submitted-{name}"
    for s in range(students):
        for c, chapter in enumerate(chapters):
            dest = submitted / f"student{s:03d}" / chapter
            dest.mkdir(parents=True)
            nbformat.write(_notebook(root, chapter, kinds[(s + c) % len(kinds)], s + c), dest / f"{chapter}.ipynb")
    return submitted


def _nbgrader(course: Path, submitted: Path, chapters: list) -> float:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    nbg = [sys.executable, "-m", "nbgrader"]
    target = course / "autograder" / "submitted"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(submitted, target)
    t0 = time.perf_counter()
    for chapter in chapters:
        proc = subprocess.run(nbg + ["autograde", chapter, "--force"], cwd=course, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  nbgrader autograde {chapter} failed: {proc.stderr[-500:]}")
    return time.perf_counter() - t0


def _breakdown(rows, batch: Stopwatch, n: int) -> str:
    stages = {}
    for row in rows:
        for stage, seconds in row.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    parts = [f"{stage} {seconds / n:.3f}" for stage, seconds in stages.items()]
    parts += [f"{stage} {seconds / n:.3f}" for stage, seconds in batch.items()]
    return "      per notebook (s, each kernel's own wall time): " + ", ".join(parts)


def _memory(rows) -> str:
    peaks = [r.peak_rss / 2 ** 20 for r in rows if r.peak_rss]
    if not peaks:
        return "      peak RSS per kernel: not measured"
    return (f"      peak RSS per kernel: median {statistics.median(peaks):.0f} MiB, "
            f"max {max(peaks):.0f} MiB over {len(peaks)} kernels")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--chapters", nargs="*")
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader autograde (slow)")
    args = parser.parse_args()
    root = find_root(Path(__file__).resolve().parents[1])
    chapters = args.chapters or chapter_ids(root)
    print(f"sandbox: {sandbox.detect()}; {os.cpu_count()} cores; {args.students} students x {len(chapters)} chapters")
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-") as tmp:
        course = Path(tmp) / "course"
        for folder in ("solutions", "chapters"):
            shutil.copytree(root / folder, course / folder)
        shutil.copy(root / "nbgrader_config.py", course)
        (course / "autograder").mkdir()
        for chapter in chapters:           # the gradebook knows the chapters, as after `nntrain release`
            generate(course, chapter, Path(tmp) / "release")
        for name in ("correct", "mixed"):
            submitted = _class(root, course, name, args.students, chapters)
            n = args.students * len(chapters)
            print(f"\n{name} class: {n} notebooks")
            baseline = None if args.no_nbgrader or name != "correct" else _nbgrader(course, submitted, chapters)
            if baseline:
                print(f"  nbgrader autograde (sequential): {baseline:7.1f} s  {baseline / n:.2f} s/notebook")
            for jobs, warm in ((1, True), (2, True), (2, False)):
                watch = Stopwatch()
                t0 = time.perf_counter()
                rows = grade(course, submitted, Path(tmp) / f"{name}{jobs}{warm}" / "grades.csv",
                             feedback=Path(tmp) / f"{name}{jobs}{warm}" / "feedback", jobs=jobs, progress=False,
                             record=True, timings=watch, warm_kernels=warm)
                took = time.perf_counter() - t0
                ratio = f", {baseline / took:.1f}x nbgrader autograde" if baseline else ""
                label = f"--jobs {jobs}" + ("" if warm else ", cold kernels")
                print(f"  nntrain grade {label + ':':<25}{took:7.1f} s  {took / n:.2f} s/notebook{ratio}")
                print(_breakdown(rows, watch, n))
                print(_memory(rows))


if __name__ == "__main__":
    main()
