"""`make book` (python -m nntrain.book): the static HTML textbook.

The whole book is built once (2 kernels, about 1.5 to 2 minutes on 2 cores) into a
temporary folder; the tests then read the pages.  A small made-up chapter checks what a page
shows and hides (solutions, hidden tests, test outputs, widgets), and that a failing cell
stops the build with a message naming its chapter.
"""
import json
import re
import shutil

import nbformat
import pytest

from nntrain.course import book, glossary
from nntrain.course.notebook import nbgrader_meta
from tests.course import CHAPTERS, ROOT, solution as _solution



def _cells(page: str) -> dict:
    """cell id -> the HTML of that cell, from a page exported with nbconvert's lab template."""
    parts = re.split(r'<div class="jp-Cell [^"]*" id="cell-id=([^"]+)">', page)
    return dict(zip(parts[1::2], parts[2::2]))


def _figure_cells(nb) -> list:
    """Ids of the demo cells that draw a figure (plt.show(), no widget)."""
    return [c.id for c in nb.cells if c.cell_type == "code" and "plt.show()" in c.source
            and "widgets" not in c.source and not nbgrader_meta(c).get("solution")
            and not nbgrader_meta(c).get("grade")]


# --- fast: the book shows exactly what students get -------------------------------------

@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if (ROOT / "chapters" / c / f"{c}.ipynb").is_file()])
def test_student_version_is_the_released_chapter(chapter):
    ours = book.student_version(_solution(chapter), ROOT)
    released = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in ours.cells] == [(c.cell_type, c.source) for c in released.cells]


# --- slow: the whole book -----------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    manifest = book.build(ROOT, out, jobs=2, progress=lambda message: None)
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    return manifest, pages


@pytest.mark.slow
def test_index_lists_every_chapter_in_order(built):
    manifest, pages = built
    assert [c["id"] for c in manifest["chapters"]] == CHAPTERS
    index = pages["index.html"]
    toc = index[index.index('class="nntrain-book-toc"'):]
    linked = re.findall(r'<li><a href="([0-9]{2}_[a-z_]+)\.html">', toc)
    assert linked == CHAPTERS
    for chapter in CHAPTERS:
        assert f"{chapter}.html" in pages
        assert book.title_of(_solution(chapter)) in index.replace("&amp;", "&")
        assert f'href="{chapter}.html#' in toc, f"no sections of {chapter} in the contents"
    assert 'href="glossary.html"' in index


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_holds_its_figures(built, chapter):
    manifest, pages = built
    page = pages[f"{chapter}.html"]
    entry = next(c for c in manifest["chapters"] if c["id"] == chapter)
    expected = _figure_cells(_solution(chapter))
    assert expected, f"{chapter} draws no figure?"
    assert page.count("<img ") == entry["images"] >= len(expected)
    cells = _cells(page)
    empty = [cid for cid in expected if "<img " not in cells.get(cid, "")]
    assert not empty, f"cells without their figure: {empty}"
    assert 'src="data:image/png;base64,' in page


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_has_equations_and_no_solutions(built, chapter):
    _, pages = built
    page = pages[f"{chapter}.html"]
    nb = _solution(chapter)
    assert re.search(r'<script src="[^"]*mathjax[^"]*MathJax|<script src="[^"]*/mathjax/', page, re.I)
    assert "MathJax.Hub.Config" in page and "inlineMath: [ ['$','$']" in page
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    first_display = re.search(r"\$\$(.{10,60}?)", markdown, re.S).group(1)
    assert first_display.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page
    solutions = sum(1 for c in nb.cells if nbgrader_meta(c).get("solution"))
    assert page.count("NotImplementedError") >= solutions
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in page
    assert 'href="index.html"' in page and 'href="glossary.html"' in page


@pytest.mark.slow
def test_glossary_page_lists_every_term(built):
    _, pages = built
    page = pages["glossary.html"]
    terms = glossary.load(glossary.path(ROOT))
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", page)
    assert len(rows) == len(terms)
    shown = {(name.split(" (")[0].replace("&amp;", "&"), zh) for name, zh in rows}
    assert shown == {(t.term, t.zh) for t in terms}
    for t in terms:
        if t.chapter in CHAPTERS:
            assert f'<a href="{t.chapter}.html">' in page


# --- a made-up chapter: what a page hides, and a failing cell -----------------------------

def _cell(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "points": 0, **nbgrader}
    return cell


@pytest.fixture
def tiny_course(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "glossary.csv").write_text(
        "term,zh,symbol,chapter,also\ndemo,演示,,00_demo,\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 0. A demo (演示)\n\n## 1. A figure\n\n$$a^2 + b^2$$"),
        _cell("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"),
        _cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x  # the secret solution\n    ### END SOLUTION",
              grade=False, solution=True, locked=False, grade_id="square"),
        _cell("assert square(2) == 4\nprint('visible test', 'ran')\n### BEGIN HIDDEN TESTS\n"
              "print('hidden test', 6 * 7)\nassert square(3) == 9\n### END HIDDEN TESTS",
              grade=True, solution=False, locked=True, grade_id="test_square", points=1),
        _cell("import ipywidgets\nprint('a demo', 'output')\nipywidgets.IntSlider()"),
    ]
    (tmp_path / "solutions" / "00_demo").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "solutions" / "00_demo" / "00_demo.ipynb")
    return tmp_path


@pytest.mark.slow
def test_a_page_shows_outputs_but_no_solution_or_test_output(tiny_course):
    manifest = book.build(tiny_course, tiny_course / "out", jobs=1, progress=lambda m: None)
    assert manifest["chapters"][0]["images"] == 1
    page = (tiny_course / "out" / "00_demo.html").read_text(encoding="utf-8")
    assert page.count("<img ") == 1 and "a demo output" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "raise NotImplementedError()" in text
    for secret in ("the secret solution", "hidden test 42", "6 * 7", "HIDDEN TESTS", "visible test ran"):
        assert secret not in text
    assert "application/vnd.jupyter.widget" not in page
    assert "a^2 + b^2" in page and "MathJax" in page
    index = (tiny_course / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="00_demo.html"' in index and "A figure" in index
    assert "演示" in (tiny_course / "out" / "glossary.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failing_cell_stops_the_build_naming_the_chapter(tiny_course):
    path = tiny_course / "solutions" / "00_demo" / "00_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(2, _cell("1 / 0"))
    with pytest.raises(book.BookError, match="00_demo(.|\n)*ZeroDivisionError"):
        book.execute(nb, "00_demo")
    nbformat.write(nb, path)
    assert book.main(["--root", str(tiny_course), "--out", str(tiny_course / "out")]) == 1
