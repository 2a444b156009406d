"""``nntrain release``: regenerate ``chapters/`` from ``solutions/`` with nbgrader.

``nbgrader generate_assignment --force`` deletes its output folder before writing, and can
fail after deleting; so it writes into a temporary folder and only a finished, different
result replaces ``chapters/<id>/``.  The output is byte-stable: releasing twice changes
nothing.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from .files import file_lock
from .layout import CourseError, nbgrader_api, resolve_chapters


def gradebook_lock(root: Path):
    """One writer of the gradebook at a time, across processes (two instructors' commands,
    parallel test workers): a context manager."""
    return file_lock(Path(root) / "autograder" / ".gradebook.lock")


def generate(root: Path, chapter: str, into: Path) -> Path:
    """Run generate_assignment for ``chapter`` into the folder ``into``; return the chapter
    folder written there.  Also (re)records the chapter's cells in the gradebook."""
    with gradebook_lock(root):
        result = nbgrader_api(root, release_directory=str(into)).generate_assignment(chapter, force=True)
    if not result.get("success"):
        raise CourseError(f"nbgrader generate_assignment {chapter} failed:\n"
                          f"{result.get('error', '')}\n{result.get('log', '')[-3000:]}")
    out = Path(into) / chapter
    if not (out / f"{chapter}.ipynb").is_file():
        raise CourseError(f"nbgrader wrote no {chapter}.ipynb for {chapter}")
    return out


def _same_tree(a: Path, b: Path) -> bool:
    if not b.is_dir():
        return False
    cmp = filecmp.dircmp(a, b)

    def same(c):
        """Do the two folders of this comparison hold the same files, all the way down?"""
        if c.left_only or c.right_only or c.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        return not mismatch and not errors and all(same(s) for s in c.subdirs.values())

    return same(cmp)


def release(root: Path, chapters=None, check_only=False) -> list[str]:
    """Regenerate the given chapters (default: all).  Returns the ids whose student version
    changed (with ``check_only``: would change, nothing is written)."""
    root = Path(root)
    changed = []
    for chapter in resolve_chapters(root, chapters):
        with tempfile.TemporaryDirectory(dir=root / "autograder" if (root / "autograder").is_dir() else None) as tmp:
            fresh = generate(root, chapter, Path(tmp))
            target = root / "chapters" / chapter
            if _same_tree(fresh, target):
                continue
            changed.append(chapter)
            if check_only:
                continue
            staged = target.with_name(f".{chapter}.new")
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(fresh, staged)
            shutil.rmtree(target, ignore_errors=True)
            staged.rename(target)
    return changed
