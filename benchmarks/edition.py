"""How long ``nntrain student-edition`` takes (printed, not asserted).

    python benchmarks/edition.py [--jobs 2]

Builds the edition twice from a temporary copy of the course, so that the first build finds
no cached execution (as on a fresh clone) and the real ``build/cache`` is not touched:

- **cold**: every solution notebook runs once for its outputs, ``--jobs`` at a time; each
  chapter's own execution time is printed, and how busy the ``--jobs`` slots were (the sum of
  the chapters' times over ``jobs`` × the wall time);
- **warm**: nothing changed, so every execution comes from the cache.

The student edition's target is a cold build "well under a minute" on 2 cores.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from nntrain.course import book, edition
from nntrain.course.layout import find_root, resolve_chapters

COPIED = ("solutions", "chapters", "lib", "edition", "book", "pyproject.toml", "nbgrader_config.py",
          "LICENSE", "README.md", "environment.yml")


def _course_copy(root: Path, tmp: Path) -> Path:
    """The parts of the course a build reads, copied to ``tmp/course``."""
    course = tmp / "course"
    course.mkdir()
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, course / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, course / name)
    return course


def _build(course: Path, out: Path, jobs: int) -> float:
    """Wall seconds of one build."""
    t0 = time.perf_counter()
    edition.build(course, out, jobs=jobs, progress=lambda message: None)
    return time.perf_counter() - t0


def _execution_seconds(course: Path) -> dict:
    """chapter -> seconds its execution took, as the cache recorded it."""
    runs = book.executed(course, resolve_chapters(course, None), progress=lambda message: None)
    return {chapter: nb.metadata["nntrain"]["seconds"] for chapter, nb in runs.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = find_root(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-edition-") as tmp:
        course = _course_copy(root, Path(tmp))
        cold = _build(course, Path(tmp) / "edition-cold", args.jobs)
        warm = _build(course, Path(tmp) / "edition-warm", args.jobs)
        seconds = _execution_seconds(course)
    print(f"{'chapter':<22} {'execution (s)':>14}")
    for chapter, s in seconds.items():
        print(f"{chapter:<22} {s:>14.1f}")
    total = sum(seconds.values())
    print(f"{'sum':<22} {total:>14.1f}")
    print(f"cold build, --jobs {args.jobs}: {cold:.1f} s "
          f"(slots busy {total / (args.jobs * cold):.0%} of the time)")
    print(f"warm build (all cached): {warm:.1f} s")


if __name__ == "__main__":
    main()
