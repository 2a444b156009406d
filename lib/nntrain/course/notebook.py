"""Notebook hygiene for authors: solution notebooks are committed without outputs, with
deterministic metadata and cell ids, so diffs stay readable and release is byte-stable."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def nbgrader_meta(cell) -> dict:
    """The nbgrader metadata of a cell ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def normalize(nb):
    """Strip outputs and volatile metadata; give every cell a stable id (its nbgrader
    grade_id, else ``cell-<index>``).  Returns the notebook (modified in place)."""
    nb.metadata = nbformat.NotebookNode({"kernelspec": dict(KERNELSPEC)})
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        cid = meta.get("grade_id") or f"cell-{i:03d}"
        while cid in seen:
            cid = f"{cid}-{i}"
        seen.add(cid)
        cell["id"] = cid
        keep = {k: v for k, v in cell.get("metadata", {}).items() if k in ("nbgrader", "tags")}
        cell["metadata"] = nbformat.NotebookNode(keep)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if not cell.get("attachments"):
                cell.pop("attachments", None)
    return nb


def dumps(nb) -> str:
    """A notebook as committed: indented JSON with sorted keys, UTF-8 text kept as it is."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def normalize_file(path: Path) -> bool:
    """Normalize a notebook file in place; True when it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    new = dumps(normalize(nb))
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False
