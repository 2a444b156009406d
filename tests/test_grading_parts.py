"""The parts of grading, without a kernel: assembling a submission around the instructor's
cells, the static scan, and the feedback page.  Fast checks of what the end-to-end tests
(tests/test_grading.py, tests/test_adversarial.py) exercise through real kernels."""
import nbformat
import pytest

from nntrain.grading import execute, integrity
from nntrain.grading.assemble import Master, assemble
from nntrain.grading.feedback import render
from nntrain.grading.records import INJECTED, SKIP, Row, TestResult
from nntrain.course.notebook import nbgrader_meta
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
    assert nb.cells[3].source == DEMO and nb.cells[3].metadata.get(SKIP) is True


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
    marks = {c.source: bool(c.metadata.get(SKIP)) for c in nb.cells}
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
    check.metadata[INJECTED] = True
    nb.cells.insert(0, check)
    row = Row("ada", "00_demo", 0.0, 2.0, "graded", "", [TestResult("test_double", 0.0, 2.0, result, message)])
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


# --- the integrity check, in this process (an IPython shell, no kernel) ------------------------

def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    return InteractiveShell.instance()


def test_the_integrity_check_puts_back_what_student_code_rebound_and_says_what():
    import contextlib
    import io
    import sys

    import numpy as np

    import nntrain.testing
    from nntrain.grading import integrity_kernel
    shell, printed = _shell(), io.StringIO()
    allclose, testing_module, custom = np.allclose, sys.modules["nntrain.testing"], shell.custom_exceptions
    with contextlib.redirect_stdout(printed):
        check = integrity_kernel.snapshot("s3cret", shell)
        try:
            np.allclose = lambda *args, **kwargs: True
            sys.modules["nntrain.testing"] = object()
            shell.set_custom_exc((AssertionError,), lambda *args, **kwargs: None)
            check(7)
        finally:
            np.allclose, sys.modules["nntrain.testing"] = allclose, testing_module
            shell.custom_exceptions = custom
    assert np.allclose is allclose and sys.modules["nntrain.testing"] is nntrain.testing
    names = integrity.restored_names(printed.getvalue())
    assert {"numpy.allclose", "sys.modules['nntrain.testing']", "IPython custom exception handler"} <= set(names), names
    run = integrity.Run()
    run.secret = "s3cret"
    assert run.acknowledged(7, printed.getvalue()) and not run.acknowledged(8, printed.getvalue())


def test_an_untouched_kernel_gets_only_the_acknowledgement():
    import contextlib
    import io

    from nntrain.grading import integrity_kernel
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        integrity_kernel.snapshot("s3cret", _shell())(1)
    assert printed.getvalue() == f"{integrity_kernel.ACK}{integrity_kernel.token('s3cret', 1)}\n"


def test_the_snapshot_cell_loads_the_check_by_path_and_binds_it_under_the_runs_key():
    import contextlib
    import io
    run, space, printed = integrity.Run(), {"get_ipython": _shell}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(run.snapshot(), space)
        space[run.key](3)
    assert run.acknowledged(3, printed.getvalue())
    assert f"{run.key}_make" not in space, "the loader is deleted after use"


def test_the_snapshot_never_imports_a_module_from_the_notebooks_folder(tmp_path, monkeypatch):
    import pytest

    from nntrain.grading import integrity_kernel
    (tmp_path / "fake_numpy_xyz.py").write_text("raise SystemExit('imported the fake')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend("")
    with pytest.raises(ModuleNotFoundError):
        integrity_kernel._import_trusted(["fake_numpy_xyz"])


def test_injected_cells_come_first_and_before_every_test():
    run = integrity.Run()
    cells = integrity.inject(_release(), run)
    kinds = ["snapshot" if c.metadata.get(INJECTED) and i == 0 else "check" if c.metadata.get(INJECTED)
             else nbgrader_meta(c).get("grade_id", "demo") for i, c in enumerate(cells)]
    assert kinds == ["snapshot", "setup", "double", "check", "test_double", "demo"]
    assert cells[3].source == run.check(3)


# --- finding the submissions, scoring a run, merging CSVs --------------------------------------

def test_submissions_are_found_with_what_is_wrong_with_each(tmp_path):
    from nntrain.grading import submissions
    for path in ("ada/00_demo/00_demo.ipynb", "ben/00_demo/mine.ipynb", "cai/00_demo.ipynb",
                 "dan/99_nope/99_nope.ipynb", "eve/00_demo/a.ipynb", "eve/00_demo/b.ipynb"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}")
    (tmp_path / "ada/00_demo/timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    found = {s.student: s for s in submissions.find(tmp_path, ["00_demo"])}
    assert found["ada"].path.name == "00_demo.ipynb" and found["ada"].timestamp.day == 1
    assert found["ben"].path.name == "mine.ipynb" and "expected 00_demo.ipynb" in found["ben"].note
    assert found["cai"].path is None and "wrong layout" in found["cai"].problem
    assert found["dan"].path is None and "unknown chapter" in found["dan"].problem
    assert found["eve"].path is None and "a.ipynb, b.ipynb" in found["eve"].problem
    assert [s.student for s in submissions.find(tmp_path, ["00_demo"], students={"ada", "eve"})] == ["ada", "eve"]


def test_a_test_scores_only_when_it_passed_and_its_integrity_check_was_acknowledged():
    from nntrain.grading.execute import CellRun, Limits, RunResult
    from nntrain.grading.records import Submission
    from nntrain.grading.score import score
    run = integrity.Run()
    nb, notes = assemble(_submission(_release()), _master())
    nb.cells = integrity.inject(nb.cells, run)
    check = next(i for i, c in enumerate(nb.cells) if c.source == run.check(i))
    ran = RunResult(cells=[CellRun(i, status="ok") for i in range(len(nb.cells))])
    sub = Submission("ada", "00_demo", None)
    acknowledgement = f"{integrity.ACK}{integrity.token(run.secret, check)}\n"
    nb.cells[check].outputs = [nbformat.v4.new_output("stream", name="stdout", text=acknowledgement)]
    assert score(nb, ran, _master(), run, sub, notes, Limits()).score == 2.0
    nb.cells[check].outputs = []                          # the check did not run to its end
    row = score(nb, ran, _master(), run, sub, notes, Limits())
    assert (row.score, row.status, row.tests[0].result) == (0.0, "flagged", "unchecked")
    ran.cells[check + 1] = CellRun(check + 1, status="timeout", error="cell exceeded 60 s")
    row = score(nb, ran, _master(), run, sub, notes, Limits())
    assert (row.score, row.status) == (0.0, "needs_review") and "cell time limit" in row.reason


def test_a_partial_run_updates_its_rows_and_keeps_every_other(tmp_path):
    from nntrain.grading import results
    out = tmp_path / "grades.csv"
    results.write(out, [Row("ada", "00", 1.0, 2.0), Row("ben", "00", 2.0, 2.0), Row("ada", "01", 0.0, 3.0)])
    results.write(out, [Row("ben", "00", 0.5, 2.0), Row("cai", "00", 2.0, 2.0)], partial=True)
    lines = [line.split(",")[:3] for line in out.read_text().splitlines()[1:]]
    assert lines == [["ada", "00", "1"], ["ben", "00", "0.5"], ["ada", "01", "0"], ["cai", "00", "2"]]
    results.write(out, [Row("ben", "00", 2.0, 2.0)])       # a whole-class run replaces
    assert [line.split(",")[0] for line in out.read_text().splitlines()[1:]] == ["ben"]


def test_a_factory_that_cannot_start_says_why_and_grading_starts_kernels_cold(tmp_path, monkeypatch, capsys):
    from nntrain.grading import grade, warm
    broken = tmp_path / "broken_factory.py"
    broken.write_text("import sys\nsys.exit('the imports failed here')\n")
    monkeypatch.setattr(warm, "SCRIPT", str(broken))
    with pytest.raises(warm.FactoryError, match="the imports failed here"):
        warm.Factory.start()
    assert grade._factory() is None
    assert "kernels start cold" in capsys.readouterr().err
    assert not warm._FACTORIES, "a factory that failed to start stays registered"


def test_a_forked_kernel_is_watched_through_its_pidfd(tmp_path):
    """ForkedKernel: running until its process ends (not when a reused pid would), then its
    poll says so; kill ends it."""
    import os
    import subprocess
    from nntrain.grading.warm import ForkedKernel
    proc = subprocess.Popen(["sleep", "30"])
    kernel = ForkedKernel(proc.pid, os.pidfd_open(proc.pid))
    assert kernel.poll() is None
    kernel.kill()
    proc.wait(timeout=5)
    assert kernel.wait(5) == 0 and kernel.poll() == 0



def test_the_warm_provisioner_is_registered_where_jupyter_looks():
    """jupyter_client finds kernel provisioners by entry point: without it every warm kernel
    would fail to start, so the project's install must register it."""
    from importlib.metadata import entry_points
    from nntrain.grading.warm import PROVISIONER, WarmProvisioner
    found = entry_points(group="jupyter_client.kernel_provisioners", name=PROVISIONER)
    assert [e.load() for e in found] == [WarmProvisioner], found
