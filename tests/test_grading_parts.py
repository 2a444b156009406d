"""The parts of grading, without a kernel: assembling a submission around the instructor's
cells, the static scan, and the feedback page.  Fast checks of what the end-to-end tests
(tests/test_grading.py, tests/test_adversarial.py) exercise through real kernels."""
import nbformat

from nntrain.grading import execute, integrity
from nntrain.grading.assemble import Master, assemble
from nntrain.grading.feedback import render
from nntrain.grading.grade import Row
from nntrain.grading.notebook import nbgrader_meta
from nntrain.grading.scan import scan

VISIBLE = "assert double(2) == 4\nprint('double passed')\n"
HIDDEN = VISIBLE + "### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n### END HIDDEN TESTS\n"
DEMO = "print('a figure of the lesson')\n"


def _cell(source, cell_type="code", **nbgrader):
    cell = (nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell)(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "locked": False,
                                     "solution": False, **nbgrader}
    return cell


def _release():
    """A released chapter: set-up, a solution cell, its test, a demo cell."""
    return [
        _cell("import numpy as np\n", grade_id="setup", locked=True),
        _cell("def double(x):\n    raise NotImplementedError()\n", grade_id="double", solution=True),
        _cell(VISIBLE, grade_id="test_double", grade=True, locked=True, points=2),
        _cell(DEMO),
    ]


def _master():
    cells = _release()
    return Master("00_demo", [c for c in cells if nbgrader_meta(c).get("grade_id")],
                  {"test_double": HIDDEN}, {"test_double": 2.0}, {"setup": cells[0].source,
                   "double": cells[1].source, "test_double": VISIBLE}, frozenset({DEMO}))


def _submission(cells):
    return nbformat.v4.new_notebook(cells=cells)


def _sources(nb):
    return [(nbgrader_meta(c).get("grade_id"), c.source) for c in nb.cells]


# --- assembly ---------------------------------------------------------------------------------

def test_an_honest_submission_runs_its_answer_with_the_hidden_tests():
    cells = _release()
    cells[1].source = "def double(x):\n    return 2 * x\n"
    nb, notes = assemble(_submission(cells), _master())
    assert notes == []
    assert _sources(nb)[:3] == [("setup", "import numpy as np\n"),
                                ("double", "def double(x):\n    return 2 * x\n"), ("test_double", HIDDEN)]
    assert nb.cells[3].source == DEMO and nb.cells[3].metadata.get(execute.SKIP) is True


def test_an_edited_or_deleted_test_cell_is_the_instructors_again():
    cells = _release()
    cells[2].source = "pass  # my own 'test'"
    nb, notes = assemble(_submission(cells), _master())
    assert ("test_double", HIDDEN) in _sources(nb)
    assert notes == ["cell test_double was changed; the original was used"]
    nb, notes = assemble(_submission([c for i, c in enumerate(_release()) if i != 2]), _master())
    assert ("test_double", HIDDEN) in _sources(nb)
    assert notes == ["cell test_double was missing; the original was put back"]


def test_a_students_own_cell_runs_where_it_was_and_forged_metadata_counts_for_nothing():
    cells = _release()
    mine = _cell("helper = 3\n")
    forged = _cell("print('no points for me')\n", grade_id="bonus", grade=True, points=50)
    cells[2:2] = [mine, forged]
    nb, notes = assemble(_submission(cells), _master())
    sources = [c.source for c in nb.cells]
    assert sources.index("helper = 3\n") == sources.index("def double(x):\n    raise NotImplementedError()\n") + 1
    assert all("nbgrader" not in c.metadata for c in nb.cells if c.source.startswith(("helper", "print('no")))
    assert [c for c in nb.cells if nbgrader_meta(c).get("grade")] == [nb.cells[sources.index(HIDDEN)]]


def test_a_duplicated_test_cell_is_dropped_and_a_changed_copy_runs_as_an_ordinary_cell():
    cells = _release()
    copy = nbformat.from_dict(dict(cells[2]))
    copy["id"] = "a-copy"
    cells.insert(3, copy)
    nb, notes = assemble(_submission(cells), _master())
    assert [c.source for c in nb.cells].count(HIDDEN) == 1 and notes == [
        "cell test_double appeared twice; the copy was dropped"]
    cells[3].source = "double = lambda x: 2 * x\n"
    nb, notes = assemble(_submission(cells), _master())
    assert "double = lambda x: 2 * x\n" in [c.source for c in nb.cells]
    assert notes == ["cell test_double appeared twice; the changed copy was run as an ordinary cell"]


def test_a_changed_demo_cell_runs_and_an_unchanged_one_is_skipped():
    cells = _release()
    cells.append(_cell(DEMO + "x = 1\n"))
    nb, _ = assemble(_submission(cells), _master())
    marks = {c.source: bool(c.metadata.get(execute.SKIP)) for c in nb.cells}
    assert marks[DEMO] is True and marks[DEMO + "x = 1\n"] is False


# --- the static scan --------------------------------------------------------------------------

def test_the_scan_flags_what_reaches_for_the_checking_machinery():
    found = scan([("cell 1", "import numpy as np\nnp.allclose = lambda *a, **k: True\n"),
                  ("cell 2", "exec('x = 1')"),
                  ("cell 3", "from nntrain.testing import _trusted"),
                  ("cell 4", "import sys\nsys.modules['numpy'] = None")])
    assert sorted({f.split(":")[0] for f in found}) == ["cell 1", "cell 2", "cell 3", "cell 4"]
    assert "assigns to an attribute of a module" in found[0]
    assert "runs code from a string" in found[1]
    assert "delegation guard" in found[2]


def test_the_scan_leaves_honest_exercise_code_alone():
    honest = ("def adam_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
              "    m_next = beta1 * m + (1 - beta1) * grad\n"
              "    s_next = beta2 * s + (1 - beta2) * grad ** 2\n"
              "    evaluated = np.sqrt(s_next / (1 - beta2 ** t)) + eps\n"
              "    return w - lr * m_next / (1 - beta1 ** t) / evaluated, m_next, s_next\n")
    assert scan([("cell", honest)]) == []


# --- the feedback page ------------------------------------------------------------------------

def _graded(result="failed", message="AssertionError: double(2) is wrong\n  expected: 4"):
    nb, _ = assemble(_submission(_release()), _master())
    for cell in nb.cells:
        if cell.source == HIDDEN:
            cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong",
                                                   traceback=["AssertionError: wrong"])]
    check = _cell("secret integrity check")
    check.metadata[integrity.MARK] = True
    nb.cells.insert(0, check)
    row = Row("ada", "00_demo", 0.0, 2.0, "graded", "", [("test_double", 0.0, 2.0, result, message)])
    return nb, row


def test_feedback_shows_the_score_and_the_visible_test_never_the_hidden_one():
    nb, row = _graded()
    page = render(nb, row, _master())
    assert "Score: 0 / 2" in page and "test test_double: failed, 0 / 2" in page
    assert "double(-3)" not in page and "HIDDEN TESTS" not in page
    assert "double passed" in page                  # the visible test's source
    assert "secret integrity check" not in page and "a figure of the lesson" not in page
    assert "AssertionError: double(2) is wrong" in page


def test_feedback_escapes_what_a_submission_printed():
    nb, row = _graded()
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == "double":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="<script>alert(1)</script>")]
    page = render(nb, row, _master())
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def _stream(text):
    return {"msg_type": "stream", "header": {"msg_type": "stream"}, "parent_header": {},
            "metadata": {}, "content": {"name": "stdout", "text": text}}


def test_output_is_capped_in_bytes_per_cell_and_said_so():
    nb = nbformat.v4.new_notebook(cells=[_cell("print('x' * 10**6)"), _cell("print(1)")])
    client = execute._CappedClient(nb, execute.Limits(output_bytes=1000))
    client.clear_before_next_output = False              # what nbclient sets before each cell
    outs = []
    for _ in range(50):                                   # 50 messages of 100 characters
        client.output(outs, _stream("x" * 100), None, 0)
    kept = "".join(o.get("text", "") for o in outs)
    assert kept.endswith(execute.TRUNCATED) and kept.count(execute.TRUNCATED) == 1
    assert 500 <= len(kept.replace(execute.TRUNCATED, "")) <= 1000      # of 5000 offered, counted as JSON
    other = []
    client.output(other, _stream("still shown"), None, 1)  # the cap is per cell
    assert other[0]["text"] == "still shown"


def test_an_error_is_always_kept_but_shortened():
    nb = nbformat.v4.new_notebook(cells=[_cell("raise ValueError('x' * 10**5)")])
    client = execute._CappedClient(nb, execute.Limits(output_bytes=10))
    client.clear_before_next_output = False
    outs = []
    client.output(outs, _stream("y" * 100), None, 0)
    error = {"msg_type": "error", "header": {"msg_type": "error"}, "parent_header": {}, "metadata": {},
             "content": {"ename": "ValueError", "evalue": "x" * 10**5, "traceback": ["line"] * 100}}
    client.output(outs, error, None, 0)
    assert outs[-1]["output_type"] == "error" and len(outs[-1]["evalue"]) == 5000
    assert len(outs[-1]["traceback"]) == 20
