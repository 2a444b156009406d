"""Timings (printed, not asserted): each solution notebook executed top to bottom, and
`nntrain grade` on one full submission per chapter (a solved notebook), sequentially and
as one batch."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nntrain.course.layout import chapter_ids, find_root
from nntrain.grading.grade import grade

os.environ.setdefault("MPLBACKEND", "Agg")


def main():
    root = find_root(Path(__file__).resolve().parents[1])
    chapters = sys.argv[1:] or chapter_ids(root)
    print(f"{'chapter':<22} {'execute (s)':>12} {'grade one (s)':>14}")
    total_exec = total_grade = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for chapter in chapters:
            src = root / "solutions" / chapter / f"{chapter}.ipynb"
            nb = nbformat.read(src, as_version=4)
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(tmp)}}).execute()
            t_exec = time.perf_counter() - t0
            sub = tmp / f"sub_{chapter}" / "student" / chapter
            sub.mkdir(parents=True)
            shutil.copy(src, sub / f"{chapter}.ipynb")
            t0 = time.perf_counter()
            rows = grade(root, sub.parents[1], tmp / f"{chapter}.csv", feedback=tmp / "fb",
                         chapters=[chapter], jobs=1, progress=False)
            t_grade = time.perf_counter() - t0
            assert rows[0].score == rows[0].max_score, rows[0]
            total_exec += t_exec
            total_grade += t_grade
            print(f"{chapter:<22} {t_exec:>12.1f} {t_grade:>14.1f}", flush=True)
        print(f"{'total':<22} {total_exec:>12.1f} {total_grade:>14.1f}")
        batch = tmp / "batch"
        for chapter in chapters:
            for s in range(2):
                d = batch / f"student{s}" / chapter
                d.mkdir(parents=True)
                shutil.copy(root / "solutions" / chapter / f"{chapter}.ipynb", d / f"{chapter}.ipynb")
        for jobs in (1, os.cpu_count() or 1):
            t0 = time.perf_counter()
            rows = grade(root, batch, tmp / "batch.csv", feedback=tmp / "fbb", jobs=jobs, progress=False)
            print(f"grade batch of {len(rows)} submissions, --jobs {jobs}: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
