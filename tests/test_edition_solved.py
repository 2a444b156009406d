"""The student edition solved: with the reference solutions pasted into its chapters'
solution cells and saved, every chapter runs top to bottom, in order 00 ... 10, on the student
build of the library (installed with pip), without an error, drawing the book's figures."""
import shutil

import nbformat
import pytest

from tests.test_edition import CHAPTERS, _images, _paste_solutions, _run, built, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_solved_edition_runs_every_chapter_in_order(built, site, tmp_path):
    """Every exercise solved and saved first; then the chapters run 00 ... 10, started in that
    order, two at a time (each reads the others' saved notebooks, none writes them)."""
    from concurrent.futures import ThreadPoolExecutor
    course = tmp_path / "chapters"
    shutil.copytree(built / "chapters", course)
    _paste_solutions(course)

    def figures(chapter):
        folder = course / chapter
        nb = _run(nbformat.read(folder / f"{chapter}.ipynb", as_version=4), folder, site, allow_errors=False)
        return sum(_images(c) for c in nb.cells if c.cell_type == "code")

    with ThreadPoolExecutor(max_workers=2) as pool:
        drawn = dict(zip(CHAPTERS, pool.map(figures, CHAPTERS)))
    for chapter in CHAPTERS:
        stored = nbformat.read(built / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
        expected = sum(_images(c) for c in stored.cells if c.cell_type == "code")
        assert drawn[chapter] >= expected, f"{chapter}: {drawn[chapter]} figures drawn, the book has {expected}"
