"""The grading sandbox (:mod:`nntrain.grading.sandbox`), probed from inside a real kernel:
what it can see, write and start, and that nothing it started outlives its notebook.

Every test runs in each mode this machine supports (``root`` when the tests run as root,
``userns`` where unprivileged user namespaces work); ``none`` only has resource limits, and
the tests that need namespaces say so and skip it.  Here kernels start cold (a new Python
process each); ``test_sandbox_warm.py`` runs every test again with kernels forked from the
warm kernel factory (:mod:`nntrain.grading.warm`), which must confine them just as well."""
import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from nntrain.grading import execute, sandbox

from tests.capabilities import promised_sandbox, require
from tests.processes import processes_with
from tests.course import ROOT

MODES = [m for m in ("root", "userns") if not sandbox.probe(m)]


@pytest.fixture(autouse=True)
def _the_promised_sandbox():
    """Every test here needs the sandbox the README promises on this machine (CI: root)."""
    mode = promised_sandbox()
    require(mode in MODES, f"the {mode!r} sandbox", sandbox.probe(mode) or "not detected")


_KERNELS = {"factory": None}   # the warm factory the kernels are forked from (None: cold kernels)


@pytest.fixture(autouse=True, scope="module")
def _kernels():
    """Kernels start cold here (see test_sandbox_warm.py)."""
    _KERNELS["factory"] = None


def _execute(nb, work, limits, box):
    return execute.run(nb, str(work), limits, box, _KERNELS["factory"])


def _run(mode, tmp_path, cells, limits=None, extra_hidden=()):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    limits = limits or execute.Limits(cell_timeout=20)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    with sandbox.SLOTS.take() as slot:
        box = sandbox.prepare(mode, str(work), sandbox.hidden_paths(ROOT, extra_hidden),
                              limits.resources, slot)
        result = _execute(nb, work, limits, box)
    return nb, result, slot


def _in_private(path) -> bool:
    real = os.path.realpath(path)
    return any(real == d or real.startswith(d + "/") for d in sandbox.Config("none", "/").private)


def _report(nb, index=0):
    """The JSON object a probe cell printed on its last line."""
    text = "".join(o.get("text", "") for o in nb.cells[index].outputs if o.get("output_type") == "stream")
    assert text.strip(), f"the probe printed nothing: {nb.cells[index].outputs}"
    return json.loads(text.strip().splitlines()[-1])


READ_PROBE = """
import json, os
def can_read(path):
    try:
        if os.path.isdir(path):
            return bool(os.listdir(path))
        with open(path, 'rb') as f:
            return len(f.read(16)) > 0
    except OSError:
        return False
print(json.dumps({p: can_read(p) for p in %r}))
"""


@pytest.mark.parametrize("mode", MODES)
def test_kernel_cannot_read_solutions_gradebook_tests_or_other_submissions(mode, tmp_path):
    other = tmp_path / "submitted" / "someone_else" / "00_training_loop"
    other.mkdir(parents=True)
    (other / "00_training_loop.ipynb").write_text("{}")
    secrets = [ROOT / "solutions", ROOT / "solutions" / "05_adam" / "05_adam.ipynb",
               ROOT / "autograder" / "gradebook.db", ROOT / "tests", ROOT / ".git",
               tmp_path / "submitted", other / "00_training_loop.ipynb"]
    secrets = [str(p) for p in secrets if p.exists()]
    visible = [str(ROOT / "lib" / "nntrain" / "optim.py")]     # the library the kernel imports
    if not _in_private(ROOT):   # a course under /tmp is hidden whole by the private /tmp
        visible.append(str(ROOT / "chapters" / "05_adam" / "05_adam.ipynb"))
    nb, result, _ = _run(mode, tmp_path, [READ_PROBE % (secrets + visible)],
                         extra_hidden=[tmp_path / "submitted"])
    assert result.cells[0].status == "ok", result
    seen = _report(nb)
    assert [p for p in secrets if seen[p]] == [], "the kernel could read these"
    assert all(seen[p] for p in visible), f"the student's own material must stay readable: {seen}"


@pytest.mark.parametrize("mode", MODES)
def test_kernel_cannot_see_the_graders_home(mode, tmp_path):
    home = os.path.expanduser("~")
    exposed = sandbox._python_paths()
    private = [os.path.join(home, n) for n in os.listdir(home)
               if not any(p == os.path.join(home, n) or p.startswith(os.path.join(home, n) + "/")
                          for p in exposed)]
    if not private:
        pytest.skip("nothing in the home folder but the Python installation")
    nb, result, _ = _run(mode, tmp_path, [READ_PROBE % private[:50]])
    seen = _report(nb)
    assert [p for p, ok in seen.items() if ok] == [], "the kernel could read these"


WRITE_PROBE = """
import json, os
def can_write(path):
    try:
        with open(path, 'w') as f:
            f.write('x')
        return True
    except OSError:
        return False
print(json.dumps({p: can_write(p) for p in %r}))
"""


@pytest.mark.parametrize("mode", MODES)
def test_kernel_writes_only_its_own_folder_and_a_private_tmp(mode, tmp_path):
    marker = f"nntrain-escape-{os.getpid()}-{time.monotonic_ns()}"
    outside = [str(ROOT / "chapters" / marker), str(ROOT / "autograder" / marker), str(ROOT / marker),
               str(Path(os.path.expanduser("~")) / marker),
               f"/{marker}", f"/usr/{marker}"]
    # /tmp is the kernel's own: a write there (even beside its folder) never reaches the grader
    inside = [f"own-{marker}", f"/tmp/{marker}", f"/var/tmp/{marker}", f"/dev/shm/{marker}"]
    outside_seen_by_grader = outside + [str(tmp_path / marker)]
    nb, result, _ = _run(mode, tmp_path, [WRITE_PROBE % (outside + inside + [str(tmp_path / marker)])])
    seen = _report(nb)
    # (a path under /tmp lands in the kernel's private /tmp: only the grader's view counts)
    assert [p for p in outside if seen[p] and not _in_private(p)] == [], "the kernel wrote outside its folder"
    assert all(seen[p] for p in inside), seen
    # what it wrote to its /tmp was its own: the grader's /tmp never saw it
    assert not [p for p in inside[1:] if os.path.exists(p)]
    assert (tmp_path / "work" / f"own-{marker}").exists()
    assert not [p for p in outside_seen_by_grader if os.path.exists(p)]


@pytest.mark.parametrize("mode", [m for m in MODES if m == "root"])
def test_kernel_runs_as_an_unprivileged_uid_of_its_slot(mode, tmp_path):
    nb, _, slot = _run(mode, tmp_path, ["import os, json; print(json.dumps([os.getuid(), os.getgid(), os.getgroups()]))"])
    assert _report(nb) == [sandbox.UID_BASE + slot, sandbox.UID_BASE + slot, []]


@pytest.mark.parametrize("mode", MODES)
def test_kernel_cannot_see_the_graders_processes(mode, tmp_path):
    nb, _, _ = _run(mode, tmp_path, ["import os, json\n"
                                     "print(json.dumps([open(f'/proc/{p}/cmdline','rb').read().decode(errors='replace')"
                                     " for p in os.listdir('/proc') if p.isdigit()]))"])
    cmdlines = _report(nb)
    with open("/proc/self/cmdline", "rb") as f:
        me = f.read().decode(errors="replace")
    assert me not in cmdlines and len(cmdlines) <= 4, cmdlines


@pytest.mark.parametrize("mode", MODES)
def test_runaway_subprocesses_die_with_the_notebook(mode, tmp_path):
    marker = f"{4000 + os.getpid() % 1000}.{time.monotonic_ns() % 10 ** 6}"
    cells = [f"import subprocess, sys\n"
             f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
             # a classic daemon: double fork, new session, parent gone
             f"subprocess.Popen([sys.executable, '-c', 'import os, time\\nif os.fork(): os._exit(0)\\n"
             f"os.setsid()\\ntime.sleep({marker})'])\n"
             f"import time; time.sleep(0.5)\n"
             f"print(len(subprocess.run(['pgrep', '-f', '{marker}'], capture_output=True, text=True).stdout.split()))"]
    nb, result, _ = _run(mode, tmp_path, cells)
    assert result.cells[0].status == "ok", result
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == [], "processes started by the notebook outlived it"


@pytest.mark.parametrize("mode", MODES)
def test_fork_bomb_is_contained_and_the_notebook_goes_on(mode, tmp_path):
    if mode == "userns" and os.geteuid() == 0:
        pytest.skip("the process limit never binds uid 0 of the machine, which a user "
                    "namespace started by root maps to")
    bomb = ("import os, time\nborn = 0\ntry:\n    while born < 5000:\n        if os.fork() == 0:\n"
            "            while True:\n                time.sleep(1)\n        born += 1\n"
            "except OSError:\n    pass\nprint(born)")
    limits = execute.Limits(cell_timeout=30, resources=sandbox.Resources(processes=64))
    nb, result, _ = _run(mode, tmp_path, [bomb, "print('after the bomb')"], limits)
    assert [c.status for c in result.cells] == ["ok", "ok"], result
    born = int(nb.cells[0].outputs[0]["text"])
    assert 0 < born < 64 + (sandbox._tasks_of(os.getuid()) if mode != "root" else 0), born
    assert "after the bomb" in nb.cells[1].outputs[0]["text"]


@pytest.mark.parametrize("mode", MODES)
def test_kernel_that_ignores_the_interrupt_is_killed_and_grading_resumes(mode, tmp_path):
    stubborn = ("import time\nwhile True:\n    try:\n        time.sleep(10)\n"
                "    except KeyboardInterrupt:\n        pass")
    limits = execute.Limits(cell_timeout=2, kill_grace=1)
    nb, result, _ = _run(mode, tmp_path, ["x = 41", stubborn, "print(x + 1)"], limits)
    assert result.cells[1].status in ("timeout", "kernel died"), result
    assert result.cells[2].status == "ok", result
    assert "42" in nb.cells[2].outputs[0]["text"]


def test_notebook_time_limit_stops_the_run_and_says_so(tmp_path):
    # the limit counts from the kernel's start: the first cell starts within it even on a
    # loaded machine, the third cell cannot (two cells of 2.5 s come before it)
    limits = execute.Limits(cell_timeout=10, notebook_timeout=5)
    nb, result, _ = _run(MODES[0], tmp_path, ["import time; time.sleep(2.5)"] * 4, limits)
    statuses = [c.status for c in result.cells]
    assert statuses[0] == "ok" and statuses[2:] == ["not run", "not run"], statuses
    assert any("notebook time limit" in e for e in result.events), result.events


def test_the_notebook_time_limit_holds_during_a_cell(tmp_path):
    """An endless cell under a long cell limit ends when the notebook's time is up, not when
    its own limit is: the notebook limit is enforced during a cell, not only between cells."""
    limits = execute.Limits(cell_timeout=120, notebook_timeout=8, kill_grace=2)
    t0 = time.monotonic()
    nb, result, _ = _run(MODES[0], tmp_path, ["while True:\n    pass", "print('after')"], limits)
    took = time.monotonic() - t0
    assert took < 8 + 2 + 15, f"the run took {took:.0f} s: the notebook limit did not stop the cell"
    assert result.cells[0].status in ("timeout", "not run") and result.cells[1].status == "not run", result
    assert any("notebook time limit" in e for e in result.events), result.events


def test_detect_rejects_unknown_and_unavailable_modes():
    with pytest.raises(ValueError, match="sandbox"):
        sandbox.detect("chroot")
    assert sandbox.detect("none") == "none"
    assert sandbox.detect() in MODES


@pytest.mark.parametrize("mode", MODES)
def test_a_kernel_that_cannot_start_is_retried_then_reported_with_the_reason(mode, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    limits = execute.Limits()
    box = sandbox.prepare(mode, str(work), [], limits.resources)
    box.hide = [str(tmp_path / "secret")]
    (tmp_path / "secret").mkdir()
    box.expose = ["relative/path/the/launcher/rejects"]   # makes the mount step fail
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    t0 = time.monotonic()
    result = _execute(nb, work, limits, box)
    assert [c.status for c in result.cells] == ["not run"]
    assert any("kernel could not start" in e and "nntrain sandbox" in e for e in result.events), result.events
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("mode", MODES)
def test_kernel_works_with_an_empty_proc_where_no_new_one_can_be_mounted(mode, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    limits = execute.Limits(cell_timeout=20)
    box = sandbox.prepare(mode, str(work), sandbox.hidden_paths(ROOT), limits.resources)
    box.proc = "empty"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, json, numpy as np\nprint(json.dumps([os.listdir('/proc'), float(np.ones(3).sum())]))")])
    result = _execute(nb, work, limits, box)
    assert result.cells[0].status == "ok", result
    assert _report(nb) == [[], 3.0]


GRADER = """
import sys, nbformat
from nntrain.grading import execute, sandbox, warm
mode, work, kind, marker = sys.argv[1:]
marker = marker[::-1]   # (not in this process's command line)
factory = warm.Factory.start() if kind == "warm" else None
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    f"import subprocess\\nsubprocess.Popen(['sleep', '{marker}'])\\nprint('started', flush=True)\\n"
    f"import time\\ntime.sleep(600)")])
execute.run(nb, work, execute.Limits(cell_timeout=600), sandbox.prepare(mode, work, [], sandbox.Resources()), factory)
"""


@pytest.mark.parametrize("mode", MODES)
def test_nothing_outlives_a_grader_that_is_killed(mode, tmp_path):
    """The grader killed with SIGKILL in the middle of a notebook: its kernel, and what the
    kernel started, end too (the launcher dies with the grader, a forked kernel with the warm
    factory, which dies with the grader)."""
    import signal
    import subprocess
    import sys
    marker = f"{5000 + os.getpid() % 1000}.{time.monotonic_ns() % 10 ** 6}"
    kind = "cold" if _KERNELS["factory"] is None else "warm"
    grader = subprocess.Popen([sys.executable, "-c", GRADER, mode, str(tmp_path), kind, marker[::-1]])
    deadline = time.monotonic() + 60
    while not processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(marker), "the notebook never started its subprocess"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == [], "a killed grader left its kernel's processes running"
