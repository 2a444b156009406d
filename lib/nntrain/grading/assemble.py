"""Rebuild a submitted notebook around the instructor's cells.

What runs is decided by the instructor's release, never by the submission: every locked
cell and every test cell comes from the master (test cells with their hidden tests, from
the gradebook), in the master's order, whatever the student did to them (edited, deleted,
re-typed, duplicated, moved, metadata changed).  From the submission we take the source of
each solution cell (matched by its ``grade_id``) and the student's other cells, each kept
right after the master cell it followed in the submission.

The release's ordinary code cells (figures, demos, "your code in action") never define
anything a test needs: test cells depend only on locked and solution cells.  A submitted
cell whose source is exactly such a release cell is therefore marked ``skip`` and not run
during grading; a cell the student wrote or changed always runs.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..course.notebook import nbgrader_meta
from ..course.release import generate
from .records import SKIP


@dataclass
class Master:
    """What the instructor released for one chapter: the cells that decide what runs."""
    chapter: str
    cells: list                     # the released notebook's cells with nbgrader metadata, in order
    test_source: dict               # grade_id -> full test source (hidden tests included)
    points: dict                    # grade_id -> max points of each test cell
    visible_source: dict = field(default_factory=dict)   # grade_id -> released (visible) source
    demo_sources: frozenset = frozenset()                # sources of the release's ordinary code cells

    @property
    def ids(self):
        """The grade ids of the master's cells, in order."""
        return [nbgrader_meta(c)["grade_id"] for c in self.cells]

    @property
    def max_score(self):
        """The points of the chapter: the sum of its test cells' points."""
        return float(sum(self.points.values()))


def load_master(released_nb, gradebook_db_url: str, chapter: str) -> Master:
    """The master of ``chapter``: the released notebook's nbgrader cells plus the gradebook's
    test sources."""
    from nbgrader.api import Gradebook

    cells = [c for c in released_nb.cells if nbgrader_meta(c).get("grade_id")]
    with Gradebook(gradebook_db_url) as gb:
        notebook = gb.find_notebook(chapter, chapter)
        sources = {c.name: c.source for c in notebook.source_cells}
        points = {c.name: float(c.max_score) for c in notebook.grade_cells if c.cell_type == "code"}
    visible = {}
    for cell in cells:
        gid = nbgrader_meta(cell)["grade_id"]
        visible[gid] = cell.source
    missing = [g for g in points if g not in visible]
    if missing:
        raise ValueError(f"{chapter}: gradebook and release disagree on test cells {missing}")
    demos = frozenset(c.source for c in released_nb.cells
                      if c.cell_type == "code" and not nbgrader_meta(c).get("grade_id"))
    return Master(chapter, cells, {g: sources[g] for g in points}, points, visible, demos)



def _plain(cell):
    """A student cell with any nbgrader metadata removed (forged metadata counts for nothing)."""
    cell = nbformat.from_dict(dict(cell))
    meta = dict(cell.get("metadata", {}))
    meta.pop("nbgrader", None)
    meta.pop("tags", None)
    cell["metadata"] = nbformat.from_dict(meta)
    if cell.cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def load_masters(root: Path, chapters, db_url: str) -> dict:
    """chapter -> :class:`Master`: each chapter regenerated into a scratch folder (which also
    brings the gradebook up to date with ``solutions/``) and read with its hidden tests."""
    masters = {}
    with tempfile.TemporaryDirectory(prefix="nntrain-release-") as tmp:
        for chapter in chapters:
            out = generate(root, chapter, Path(tmp))
            released = nbformat.read(out / f"{chapter}.ipynb", as_version=4)
            masters[chapter] = load_master(released, db_url, chapter)
    return masters


@dataclass
class _Sorted:
    """A submission's cells sorted against the master (see :func:`_sort`)."""
    answers: dict = field(default_factory=dict)    # solution grade_id -> the student's source
    extra: dict = field(default_factory=lambda: {None: []})   # master grade_id -> student cells after it
    seen: set = field(default_factory=set)         # master grade_ids found in the submission
    notes: list = field(default_factory=list)      # what was repaired, in words


def assemble(submission, master: Master):
    """Return ``(nb, notes)``: the notebook to run, and what was repaired, in words."""
    found = _sort(submission, master)
    cells = list(found.extra[None])
    for mcell in master.cells:
        gid = nbgrader_meta(mcell)["grade_id"]
        cell = _master_cell(mcell, master, found)
        if cell is not None:
            cells.append(cell)
        cells.extend(found.extra.get(gid, []))
    nb = nbformat.v4.new_notebook()
    nb.metadata = nbformat.from_dict({"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}})
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i:04d}"
    nb.cells = cells
    return nb, found.notes


def _sort(submission, master: Master) -> _Sorted:
    """Which submitted cell answers which solution cell, and where the student's own cells go."""
    found = _Sorted()
    kinds = {nbgrader_meta(c)["grade_id"]: c for c in master.cells}
    current = None
    for cell in submission.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        original = (master.visible_source.get(gid), master.test_source.get(gid))
        if gid in kinds and gid not in found.seen:
            found.seen.add(gid)
            current = gid
            if nbgrader_meta(kinds[gid]).get("solution"):
                found.answers[gid] = cell.source if cell.cell_type == "code" else ""
                if cell.cell_type != "code":
                    found.notes.append(f"solution cell {gid} was not a code cell")
            elif cell.source not in original or cell.cell_type != kinds[gid].cell_type:
                found.notes.append(f"cell {gid} was changed; the original was used")
            continue
        if gid in kinds:
            if cell.source in original:
                found.notes.append(f"cell {gid} appeared twice; the copy was dropped")
                continue
            found.notes.append(f"cell {gid} appeared twice; the changed copy was run as an ordinary cell")
        plain = _plain(cell)
        if plain.cell_type == "code" and plain.source in master.demo_sources:
            plain.metadata[SKIP] = True
        found.extra.setdefault(current, []).append(plain)
    return found


def _master_cell(mcell, master: Master, found: _Sorted):
    """The cell that runs in place of the master cell ``mcell``: the student's answer for a
    solution cell (None if it was deleted), else the instructor's cell with its hidden tests."""
    meta = nbgrader_meta(mcell)
    gid = meta["grade_id"]
    if meta.get("solution"):
        if gid not in found.answers:
            found.notes.append(f"solution cell {gid} was deleted")
            return None
        new = nbformat.v4.new_code_cell(found.answers[gid])
        new.metadata = nbformat.from_dict({"nbgrader": dict(meta)})
        return new
    if gid not in found.seen:
        found.notes.append(f"cell {gid} was missing; the original was put back")
    new = nbformat.from_dict(dict(mcell))
    new.metadata = nbformat.from_dict({"nbgrader": dict(meta)})
    if gid in master.test_source:
        new.source = master.test_source[gid]
    if new.cell_type == "code":
        new.outputs, new.execution_count = [], None
    return new
