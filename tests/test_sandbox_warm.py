"""Every sandbox test of ``test_sandbox.py`` again, with each kernel forked from the warm
kernel factory (:mod:`nntrain.grading.warm`, what ``nntrain grade`` uses) instead of started
as a new Python: a fork must be confined exactly as a cold kernel is."""
import nbformat
import pytest

from nntrain.grading import execute, sandbox, warm

from tests import test_sandbox
from tests.test_sandbox import *  # noqa: F401,F403  (the tests themselves)


@pytest.fixture(autouse=True, scope="module")
def _kernels():
    """One warm factory for the module's kernels."""
    with warm.Factory.start() as factory:
        test_sandbox._KERNELS["factory"] = factory
        yield
    test_sandbox._KERNELS["factory"] = None


def test_a_forked_kernel_is_a_new_process_with_nothing_of_the_last_one(tmp_path):
    """Two notebooks in a row: the second kernel sees nothing the first one defined, imported
    or changed in a module the factory had imported."""
    first = ["import sys, json, numpy as np\nbefore = 'wave' in sys.modules\nimport wave\n"
             "left_behind = 42\nnp.left_behind = 1\nprint(json.dumps([before]))"]
    second = ["import sys, json, numpy as np\n"
              "print(json.dumps(['left_behind' in globals(), 'wave' in sys.modules, hasattr(np, 'left_behind')]))"]
    mode = test_sandbox.MODES[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    nb1, r1, _ = test_sandbox._run(mode, tmp_path / "a", first)
    nb2, r2, _ = test_sandbox._run(mode, tmp_path / "b", second)
    assert r1.cells[0].status == "ok" and r2.cells[0].status == "ok", (r1, r2)
    assert test_sandbox._report(nb1) == [False]
    assert test_sandbox._report(nb2) == [False, False, False]


def test_a_kernel_starts_cold_when_the_factory_has_died(tmp_path):
    """The factory dies mid-batch (killed, out of memory): the next kernels start cold from
    the same command, and their notebooks are graded all the same."""
    factory = warm.Factory.start()
    factory.proc.kill()
    factory.proc.wait()
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
        box = sandbox.prepare("none", str(tmp_path), [], sandbox.Resources())
        result = execute.run(nb, str(tmp_path), execute.Limits(cell_timeout=30), box, factory)
    finally:
        factory.close()
    assert result.cells[0].status == "ok", result
    assert nb.cells[0].outputs[0]["text"] == "42\n"
