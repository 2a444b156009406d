"""The class as handed in: every ``<student>/<chapter>/`` folder, and its notebook read.

The layout is nbgrader's ``submitted`` folder: ``<student>/<chapter>/<chapter>.ipynb``, with
nbgrader's ``timestamp.txt`` beside the notebook when it came through the exchange.  What is
wrong with a folder (a misplaced or misnamed notebook, an unknown chapter) is said in the
:class:`~.records.Submission`, never raised: one student's mistake never stops the class.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import nbformat

from .records import Submission


class Shard(NamedTuple):
    """The ``index``-th (from 0) of ``count`` disjoint slices of a class, by student id."""
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """``"K/N"`` (K from 0 to N - 1, as a Slurm array task id or a Kubernetes completion index)."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"a shard is K/N with whole numbers, e.g. 0/4; got {text!r}") from None
        if not 0 <= index < count:
            raise ValueError(f"shard {text!r}: K must be from 0 to N - 1")
        return cls(index, count)

    def holds(self, student: str) -> bool:
        """Is ``student`` in this slice?  Stable: it depends on the id alone, never on the class."""
        digest = hashlib.sha256(student.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index


def find(submitted: Path, known: list, chapters=None, students=None, shard: Shard | None = None) -> list:
    """Every submission under ``submitted`` (sorted by student, then chapter), with what is
    wrong with it; only the given ``chapters`` and ``students``, and the students of
    ``shard``, when those are given."""
    subs = []
    for sdir in _folders(submitted):
        if (students and sdir.name not in students) or (shard and not shard.holds(sdir.name)):
            continue
        stray = sorted(p.name for p in sdir.glob("*.ipynb"))
        if stray and not _folders(sdir):
            chapter = Path(stray[0]).stem if len(stray) == 1 else "?"
            if not chapters or chapter in chapters:
                subs.append(Submission(sdir.name, chapter, None,
                                       f"wrong layout: expected {sdir.name}/<chapter>/<chapter>.ipynb, "
                                       f"found {', '.join(stray)} directly in the student's folder"))
            continue
        subs += [_one(sdir.name, cdir, known) for cdir in _folders(sdir)
                 if not chapters or cdir.name in chapters]
    return subs


def _folders(path: Path) -> list:
    return sorted(p for p in Path(path).iterdir() if p.is_dir() and not p.name.startswith("."))


def _one(student: str, cdir: Path, known: list) -> Submission:
    """The submission in the chapter folder ``cdir``."""
    chapter = cdir.name
    if chapter not in known:
        return Submission(student, chapter, None, f"unknown chapter folder {chapter!r}")
    stamp = read_timestamp(cdir)
    expected = cdir / f"{chapter}.ipynb"
    if expected.is_file():
        return Submission(student, chapter, expected, timestamp=stamp)
    found = sorted(p for p in cdir.glob("*.ipynb") if not p.name.startswith("."))
    if len(found) == 1:
        return Submission(student, chapter, found[0], timestamp=stamp,
                          note=f"notebook named {found[0].name}, expected {expected.name}")
    what = ", ".join(p.name for p in found) or "no notebook"
    return Submission(student, chapter, None, f"expected {expected.name} in {student}/{chapter}/, found {what}",
                      timestamp=stamp)


def read_timestamp(folder: Path | None):
    """The hand-in time nbgrader wrote beside a submission (``timestamp.txt``, UTC), or None."""
    if folder is None or not (Path(folder) / "timestamp.txt").is_file():
        return None
    from nbgrader.utils import parse_utc
    try:
        return parse_utc((Path(folder) / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (ValueError, OverflowError, TypeError):
        return None


def read(path: Path):
    """``(notebook, "")``, or ``(None, why it cannot be read)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read file: {exc.__class__.__name__}"
    if not text.strip():
        return None, "empty file"
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:   # invalid JSON, unknown nbformat, not a notebook
        return None, f"not a readable notebook: {exc.__class__.__name__}: {str(exc)[:200]}"
    if not isinstance(nb.get("cells"), list):
        return None, "not a readable notebook: no cells"
    return nb, ""
