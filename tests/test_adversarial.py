"""Hostile and broken submissions, generated from a solution notebook by code: each must get
the score it deserves and the status it deserves, and the rest of the batch is unaffected."""
import csv
import json
import os

import nbformat
import pytest

from nntrain.grading import sandbox
from nntrain.grading.sandbox import Resources
from nntrain.grading.execute import Limits
from nntrain.course.notebook import nbgrader_meta as _meta
from nntrain.grading.grade import grade

from tests.capabilities import promised_sandbox, require
from tests.processes import processes_with
from tests.course import ROOT

CHAPTER = "05_adam"          # quick test cells; its last exercise is adamw_step
LAST = "adamw_step"
WRONG_LAST = ("def adamw_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,"
              " weight_decay=1e-2):\n    return w, m, s\n")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (ROOT / "solutions" / CHAPTER).is_dir(), reason="chapter missing")]


def _solution():
    return nbformat.read(ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)


def _points():
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in _solution().cells if _meta(c).get("grade")}


TOTAL = sum(_points().values()) if (ROOT / "solutions" / CHAPTER).is_dir() else 0.0
LOST = sum(p for g, p in _points().items() if g.startswith(f"test_{LAST}")) if TOTAL else 0.0


def _wrong(extra=""):
    nb = _solution()
    for cell in nb.cells:
        if _meta(cell).get("grade_id") == LAST:
            cell.source = WRONG_LAST + extra
    return nb


def _tests(nb):
    return [c for c in nb.cells if _meta(c).get("grade")]


def case_tests_retyped_to_markdown():
    nb = _wrong()
    for cell in _tests(nb):
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return nb, TOTAL - LOST, "graded"


def case_tests_duplicated_and_reordered():
    nb = _wrong()
    tests = _tests(nb)
    nb.cells = [c for c in nb.cells if c not in tests]
    nb.cells[1:1] = list(reversed(tests)) + [nbformat.from_dict(json.loads(json.dumps(t))) for t in tests]
    return nb, TOTAL - LOST, "graded"


def case_test_metadata_changed():
    nb = _wrong()
    for cell in _tests(nb):
        meta = cell.metadata["nbgrader"]
        meta["points"] = 1000
        meta["locked"] = False
        cell.metadata["tags"] = ["skip-execution", "raises-exception"]
    return nb, TOTAL - LOST, "graded"


def case_test_grade_flag_removed():
    nb = _wrong()
    for cell in _tests(nb):
        cell.metadata["nbgrader"]["grade"] = False
        cell.source = "pass"
    return nb, TOTAL - LOST, "graded"


def case_forged_solution_cell_id():
    nb = _wrong()
    nb.cells.append(nbformat.v4.new_code_cell("print('hello')", metadata={"nbgrader": {
        "grade": True, "grade_id": "bonus", "points": 50, "solution": False, "locked": True}}))
    return nb, TOTAL - LOST, "graded"


def case_rebinds_numpy_checks():
    return (_wrong("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                   "np.testing.assert_allclose = lambda *a, **k: None\nnp.isclose = np.allclose\n"),
            TOTAL - LOST, "flagged")


def case_rebinds_library_checks_via_setattr():
    return (_wrong("import nntrain.testing as T\nfor _n in ('assert_close', 'check', 'assert_shape'):\n"
                   "    setattr(T, _n, lambda *a, **k: None)\n"), TOTAL - LOST, "flagged")


def case_replaces_library_reference():
    return _wrong("import nntrain.optim\nnntrain.optim.adamw_step = adamw_step\n"), TOTAL - LOST, "flagged"


def case_fake_module_in_sys_modules():
    return (_wrong("import sys, types\n_fake = types.ModuleType('nntrain.testing')\n"
                   "_fake.call = lambda f, *a, **k: None\n"
                   "_fake.assert_close = _fake.check = _fake.assert_shape = _fake.assert_equal = lambda *a, **k: None\n"
                   "sys.modules['nntrain.testing'] = _fake\n"), TOTAL - LOST, "flagged")


TAMPER = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
          "np.testing.assert_allclose = lambda *a, **k: None\n")


def case_switches_off_the_old_integrity_check():
    """The check's name is public (this repository); it is drawn anew for every run."""
    return _wrong("__nntrain_check = lambda *a: None\n" + TAMPER), TOTAL - LOST, "flagged"


def case_replaces_every_closure_in_the_namespace():
    """Finds the check by enumerating globals and replaces it: no acknowledgement comes
    back, so no test after the tampering counts."""
    nb = _wrong()
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "for _k, _v in list(globals().items()):\n"
        "    if _k.startswith('_') and callable(_v) and getattr(_v, '__closure__', None):\n"
        "        globals()[_k] = lambda *a, **k: None\n" + TAMPER))
    return nb, 0.0, "flagged"


def case_rewrites_test_cells_before_they_run():
    """An input transformer that turns every cell with an assertion into ``pass``."""
    hook = ("get_ipython().input_transformers_post.append(\n"
            "    lambda lines: ['pass\\n'] if any('assert' in l or 'check' in l for l in lines) else lines)\n")
    return _wrong(hook), TOTAL - LOST, "flagged"


def case_rewrites_every_cell():
    hook = "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
    return _wrong(hook), TOTAL - LOST, "flagged"


def case_hides_tracebacks():
    return (_wrong("get_ipython().showtraceback = lambda *a, **k: None\n"
                   "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n"),
            TOTAL - LOST, "flagged")


def case_patches_via_exec():
    return _wrong("exec('import numpy; numpy.allclose = lambda *a, **k: True')\n"), TOTAL - LOST, "flagged"


def case_rebinds_builtin_assertion():
    return _wrong("import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n"), TOTAL - LOST, "flagged"


def case_huge_output():
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell("print('x' * 20_000_000)\nfor i in range(200000):\n    print(i)"))
    return nb, TOTAL, "graded"


def case_memory_bomb():
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell("import numpy as np\nhog = np.ones((40_000, 40_000))"))
    return nb, TOTAL, "graded"


def case_writes_outside_its_folder():
    nb = _solution()
    targets = ["../../escape.txt", str(ROOT / "chapters" / CHAPTER / "escape.txt"),
               str(ROOT / "autograder" / "escape.txt"), str(SUBMITTED["path"] / "zz_honest" / "escape.txt")]
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        f"for _p in {targets!r}:\n    try:\n        open(_p, 'w').write('x')\n    except OSError:\n        pass"))
    return nb, TOTAL, "flagged"


FEEDBACK = {}    # set by the fixture: where the feedback pages go
SUBMITTED = {}   # set by the fixture: where the corpus lives, so a case can reach for a neighbour


def case_steals_the_solution():
    """Wrong code that, if it could read them, would copy the solution from the instructor's
    notebook, the hidden tests from the gradebook, or a classmate's submission."""
    targets = [str(ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"),
               str(SUBMITTED["path"] / "zz_honest" / CHAPTER / f"{CHAPTER}.ipynb")]
    steal = (f"import json, sqlite3\n"
             f"for _path in {targets!r}:\n"
             f"    try:\n"
             f"        _nb = json.load(open(_path))\n"
             f"        _src = [''.join(c['source']) for c in _nb['cells']\n"
             f"                if c.get('metadata', {{}}).get('nbgrader', {{}}).get('grade_id') == {LAST!r}][0]\n"
             f"        exec(_src)\n"
             f"        break\n"
             f"    except Exception:\n"
             f"        pass\n"
             f"try:\n"
             f"    _db = sqlite3.connect({str(ROOT / 'autograder' / 'gradebook.db')!r})\n"
             f"    print(_db.execute('select count(*) from grade_cells').fetchall())\n"
             f"except Exception as _e:\n"
             f"    print('no gradebook:', _e)\n")
    return _wrong(steal), TOTAL - LOST, "flagged"


def case_fork_bomb():
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import os, time\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            while True:\n                time.sleep(1)\nexcept OSError:\n    pass"))
    return nb, TOTAL, "flagged"


def case_runaway_subprocess():
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        f"import subprocess\nsubprocess.Popen(['sleep', '{RUNAWAY}'], start_new_session=True)"))
    return nb, TOTAL, "flagged"


def case_kernel_crashes_early():
    """A segmentation fault before the exercises: the kernel is restarted, the cells before
    the crash are replayed, and every exercise is still graded."""
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell("import ctypes\nctypes.string_at(0)"))
    return nb, TOTAL, "needs_review"


def case_wrong_kernel_name():
    nb = _wrong()
    nb.metadata["kernelspec"] = {"name": "evil-kernel", "display_name": "not Python", "language": "bash"}
    nb.metadata["language_info"] = {"name": "bash"}
    return nb, TOTAL - LOST, "graded"


def case_displays_a_script():
    """HTML and JavaScript a submission displays never reach the instructor's browser."""
    nb = _solution()
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, display\n"
        "display(HTML('<script>alert(\"owned\")</script><img src=x onerror=alert(1)>'))\n"
        "display(Javascript('alert(2)'))"))
    return nb, TOTAL, "graded"


def case_wrong_nbformat_version():
    nb = _solution()
    text = nbformat.writes(nb).replace('"nbformat": 4', '"nbformat": 99')
    return text, 0.0, "unreadable"


MODE = sandbox.detect()
NEEDS_SANDBOX = {"steals_the_solution", "fork_bomb", "runaway_subprocess"}
RUNAWAY = f"{7000 + os.getpid() % 1000}.25"   # the sleep a runaway subprocess runs

CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    sub = tmp_path_factory.mktemp("adversarial")
    SUBMITTED["path"] = sub
    expected = {}
    for name, make in CASES.items():
        nb, score, status = make()
        path = sub / name / CHAPTER / f"{CHAPTER}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(nb if isinstance(nb, str) else nbformat.writes(nb), encoding="utf-8")
        expected[name] = (score, status)
    path = sub / "zz_honest" / CHAPTER / f"{CHAPTER}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(nbformat.writes(_solution()), encoding="utf-8")
    expected["zz_honest"] = (TOTAL, "graded")
    # wrong layout: the notebook straight in the student's folder
    (sub / "wrong_layout").mkdir()
    (sub / "wrong_layout" / f"{CHAPTER}.ipynb").write_text(nbformat.writes(_solution()), encoding="utf-8")
    expected["wrong_layout"] = (0.0, "unreadable")
    out = tmp_path_factory.mktemp("out") / "grades.csv"
    FEEDBACK["path"] = tmp_path_factory.mktemp("fb")
    grade(ROOT, sub, out, feedback=FEEDBACK["path"], jobs=2, progress=False,
          limits=Limits(cell_timeout=30, resources=Resources(memory_bytes=3 * 1024 ** 3)))
    with open(out, newline="", encoding="utf-8") as f:
        got = {r["student"]: r for r in csv.DictReader(f)}
    return expected, got, sub


@pytest.mark.parametrize("name", sorted(CASES) + ["wrong_layout", "zz_honest"])
def test_submission_gets_the_score_and_status_it_deserves(results, name):
    if name in NEEDS_SANDBOX:
        require(MODE != "none", "a sandbox", sandbox.probe(promised_sandbox()))
    expected, got, _ = results
    row = got[name]
    assert (float(row["score"]), row["status"]) == expected[name], row["reason"]


def test_output_is_capped_in_the_feedback(results, tmp_path):
    """20 MB printed on one line and 200 000 more lines: graded, and the page stays small."""
    _, got, _ = results
    assert got["huge_output"]["status"] == "graded"
    page = (FEEDBACK["path"] / "huge_output" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 2 * 1024 ** 2, f"a feedback page of {len(page.encode())} bytes"
    assert "x" * 100_000 not in page and "\n199999" not in page
    assert page.count("output truncated by the grader") == 1, "the student's cell is cut, and the page says so"


def test_nothing_a_submission_started_outlives_the_batch(results):
    require(MODE != "none", "a sandbox", sandbox.probe(promised_sandbox()))
    assert processes_with(RUNAWAY) == [], "a runaway subprocess survived grading"


def test_nothing_was_written_outside_the_submissions_folders(results):
    require(MODE != "none", "a sandbox", sandbox.probe(promised_sandbox()))
    _, _, sub = results
    assert not list((ROOT / "autograder").rglob("escape.txt"))
    assert not list((ROOT / "chapters").rglob("escape.txt"))
    assert not list(sub.rglob("escape.txt"))


def test_stolen_solution_earned_nothing_and_the_reason_says_why(results):
    _, got, _ = results
    assert "runs code from a string" in got["steals_the_solution"]["reason"]


def test_feedback_never_carries_a_submissions_html_or_script(results):
    page = (FEEDBACK["path"] / "displays_a_script" / CHAPTER / f"{CHAPTER}.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert "IPython.core.display.HTML object" in page      # its plain-text form stands in
