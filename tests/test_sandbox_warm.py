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


SCAN = """
import ctypes, json
ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)   # PR_SET_DUMPABLE (a uid change cleared it): /proc/self is ours again
needle = {reversed_marker!r}[::-1].encode()
count = 0
with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', 0) as mem:
    for line in maps:
        span, perms = line.split()[:2]
        if not perms.startswith('rw'):
            continue
        start, end = (int(x, 16) for x in span.split('-'))
        try:
            mem.seek(start)
            count += mem.read(end - start).count(needle)
        except (OSError, ValueError, OverflowError):
            pass
print(json.dumps([count]))
"""


def test_a_kernel_finds_nothing_of_an_earlier_request_in_the_memory_it_inherits(tmp_path):
    """The factory's requests name each kernel's folder, and so its student: a later kernel,
    forked from the same factory, must not find an earlier one's in its memory.  Compared
    with a kernel of a factory that never saw it (the scan's own needle is in both)."""
    import secrets
    marker = "student-" + secrets.token_hex(8)
    mode = test_sandbox.MODES[0]
    (tmp_path / marker).mkdir()
    test_sandbox._run(mode, tmp_path / marker, ["x = 1"])
    scan = [SCAN.format(reversed_marker=marker[::-1])]
    (tmp_path / "later").mkdir()
    nb_later, run_later, _ = test_sandbox._run(mode, tmp_path / "later", scan)
    used = test_sandbox._KERNELS["factory"]
    with warm.Factory.start() as fresh:
        test_sandbox._KERNELS["factory"] = fresh
        (tmp_path / "control").mkdir()
        nb_control, run_control, _ = test_sandbox._run(mode, tmp_path / "control", scan)
    test_sandbox._KERNELS["factory"] = used
    assert run_later.cells[0].status == "ok" and run_control.cells[0].status == "ok", (run_later, run_control)
    assert test_sandbox._report(nb_later) == test_sandbox._report(nb_control), \
        "a kernel found an earlier kernel's request in the memory it inherited from the factory"
