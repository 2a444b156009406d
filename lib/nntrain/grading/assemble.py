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

from dataclasses import dataclass, field

import nbformat

from .execute import SKIP
from .notebook import nbgrader_meta


@dataclass
class Master:
    chapter: str
    cells: list                     # the released notebook's cells with nbgrader metadata, in order
    test_source: dict               # grade_id -> full test source (hidden tests included)
    points: dict                    # grade_id -> max points of each test cell
    visible_source: dict = field(default_factory=dict)   # grade_id -> released (visible) source
    demo_sources: frozenset = frozenset()                # sources of the release's ordinary code cells

    @property
    def ids(self):
        return [nbgrader_meta(c)["grade_id"] for c in self.cells]

    @property
    def max_score(self):
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


def assemble(submission, master: Master):
    """Return ``(nb, notes)``: the notebook to run, and what was repaired, in words."""
    notes = []
    known = set(master.ids)
    kinds = {nbgrader_meta(c)["grade_id"]: c for c in master.cells}
    extra = {None: []}
    answers = {}
    seen = set()
    current = None
    for cell in submission.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in known and gid not in seen:
            seen.add(gid)
            current = gid
            if nbgrader_meta(kinds[gid]).get("solution"):
                answers[gid] = cell.source if cell.cell_type == "code" else ""
                if cell.cell_type != "code":
                    notes.append(f"solution cell {gid} was not a code cell")
            elif (cell.source not in (master.visible_source[gid], master.test_source.get(gid))
                  or cell.cell_type != kinds[gid].cell_type):
                notes.append(f"cell {gid} was changed; the original was used")
            continue
        if gid in known:
            if cell.source in (master.visible_source[gid], master.test_source.get(gid)):
                notes.append(f"cell {gid} appeared twice; the copy was dropped")
                continue
            notes.append(f"cell {gid} appeared twice; the changed copy was run as an ordinary cell")
        plain = _plain(cell)
        if plain.cell_type == "code" and plain.source in master.demo_sources:
            plain.metadata[SKIP] = True
        extra.setdefault(current, []).append(plain)

    cells = list(extra[None])
    for mcell in master.cells:
        gid = nbgrader_meta(mcell)["grade_id"]
        meta = nbgrader_meta(mcell)
        if meta.get("solution"):
            if gid not in answers:
                notes.append(f"solution cell {gid} was deleted")
            else:
                new = nbformat.v4.new_code_cell(answers[gid])
                new.metadata = nbformat.from_dict({"nbgrader": dict(meta)})
                cells.append(new)
        else:
            if gid not in seen:
                notes.append(f"cell {gid} was missing; the original was put back")
            new = nbformat.from_dict(dict(mcell))
            new.metadata = nbformat.from_dict({"nbgrader": dict(meta)})
            if gid in master.test_source:
                new.source = master.test_source[gid]
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            cells.append(new)
        cells.extend(extra.get(gid, []))
    nb = nbformat.v4.new_notebook()
    nb.metadata = nbformat.from_dict({"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}})
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i:04d}"
    nb.cells = cells
    return nb, notes
