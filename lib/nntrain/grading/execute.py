"""Run a notebook cell by cell in a separate, resource-limited kernel.

Student code never runs in the grader's process: each notebook gets its own IPython kernel,
started from a private kernelspec through the sandbox launcher (:mod:`.sandbox`: namespaces,
its own uid, resource limits), as a new Python or forked from the batch's warm kernel
factory (:mod:`.warm`).
Per cell: a time limit (then the kernel is interrupted and the next cell runs) and an output
cap in bytes (an error output is always kept, shortened).  Per notebook: a total time limit.
The notebook's limit holds during a cell too: a cell gets at most the time the notebook has
left.  If the kernel dies (``os._exit``, a crash, the memory limit), the cell is recorded as
failed, a new kernel replays the non-test code cells before it, and execution resumes after
it, so exercises graded before and after the death keep their points.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .. import kernel
from ..course.notebook import nbgrader_meta
from . import sandbox, warm
from .records import SKIP

KERNEL_NAME = "nntrain-grader"
TRUNCATED = "\n[... output truncated by the grader ...]\n"


@dataclass(frozen=True)
class Limits:
    """What one notebook's run may take: time, output, kernel restarts, and the resources of
    its kernel (enforced by the sandbox)."""
    cell_timeout: float = 60.0          # seconds of wall time per cell
    notebook_timeout: float = 600.0     # seconds of wall time per notebook
    output_bytes: int = 100_000         # kept output per cell
    max_restarts: int = 3               # kernel deaths survived per notebook
    kill_grace: float = 10.0            # after the cell limit, a kernel ignoring the interrupt dies
    resources: sandbox.Resources = sandbox.Resources()


@dataclass
class CellRun:
    """How one cell of the notebook ran."""
    index: int
    status: str = "not run"   # "ok", "error", "timeout", "kernel died", "skipped", "not run"
    error: str = ""
    reply: str = ""           # the kernel's own verdict on the cell: "ok" or "error"
    seconds: float = 0.0      # wall time it took


@dataclass
class RunResult:
    """How the notebook ran: every cell, and what went wrong in words."""
    cells: list = field(default_factory=list)   # CellRun per cell of the notebook
    events: list = field(default_factory=list)  # what went wrong, in words
    seconds: float = 0.0
    start_seconds: float = 0.0                  # of which starting kernels (until they answered)
    peak_rss: int = 0                           # bytes: the largest resident size of a kernel process


def make_kernelspec(folder: str, box: sandbox.Config, factory: warm.Factory | None = None) -> str:
    """Write a kernelspec that starts this Python's ipykernel through the sandbox launcher
    (forked from ``factory``, when one is given: :mod:`.warm`)."""
    spec_dir = os.path.join(folder, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]
    box = dataclasses.replace(box, env={**box.env, **sandbox.KERNEL_ENV})
    spec = {"argv": sandbox.command(sandbox.write(box, folder), argv),
            "display_name": "nntrain grader", "language": "python",
            "metadata": warm.kernelspec_metadata(factory) if factory else {}}
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return os.path.join(folder, "kernels")


class _CappedClient(NotebookClient):
    """nbclient that keeps at most ``limits.output_bytes`` of output per cell."""

    def __init__(self, nb, limits: Limits, **kw):
        """``kw``: :class:`nbclient.NotebookClient`'s options."""
        super().__init__(nb, **kw)
        self._limits = limits
        self._bytes = {}

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output while the cell's cap allows (an error always, shortened)."""
        content = msg.get("content", {})
        if msg["msg_type"] == "error":
            content["traceback"] = [line[:2000] for line in content.get("traceback", [])[-20:]]
            content["evalue"] = str(content.get("evalue", ""))[:5000]
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(content, default=str))
        used = self._bytes.get(cell_index, 0)
        cap = self._limits.output_bytes
        if used >= cap:
            return None
        self._bytes[cell_index] = used + size
        if used + size > cap:
            note = {"output_type": "stream", "name": "stdout", "text": TRUNCATED}
            outs.append(nbformat.from_dict(note))
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def _async_poll_kernel_alive(self) -> None:
        """As nbclient's, which looks at the kernel process every second: here every tenth of
        a second, so that a kernel that died in a cell (a crash, the memory limit) costs
        its notebook 0.1 s instead of up to 1 s before the next kernel starts."""
        while True:
            await asyncio.sleep(0.1)
            try:
                await self._async_check_alive()
            except DeadKernelError:
                self.task_poll_for_reply.cancel()
                return


def _kill(km=None, pid=None, pgid=None):
    """Kill the kernel and whatever it started: its process group (and, in a sandbox, its
    launcher, whose death ends the kernel's PID namespace)."""
    prov = getattr(km, "provisioner", None)
    pid = pid or getattr(prov, "pid", None)
    pgid = pgid or getattr(prov, "pgid", None)
    for kill, target in ((os.killpg, pgid), (os.kill, pid)):
        if target:
            try:
                kill(target, signal.SIGKILL)
            except OSError:
                pass


START_RETRIES = 2   # a kernel that fails to start is tried again this many times


def _tail(path: str, n: int = 300) -> str:
    """The end of the kernel's error output (where the sandbox launcher says what failed)."""
    try:
        with open(path, "rb") as f:
            text = f.read()[-4000:].decode(errors="replace").strip()
    except OSError:
        return "no error output"
    lines = [line for line in text.splitlines() if "running over TCP" not in line]
    return " | ".join(lines)[-n:] or "no error output"


def _record_reply(result):
    def hook(cell=None, cell_index=None, execute_reply=None, **_):
        """nbclient's ``on_cell_executed``: keep the kernel's status of the cell."""
        if cell_index is not None and execute_reply:
            result.cells[cell_index].reply = execute_reply.get("content", {}).get("status", "")
    return hook


def _error_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"[:2000]
    return ""


class _Clock:
    """The notebook's time limit: how much is left, and what each cell may take."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.notebook_timeout

    def left(self) -> float:
        """Seconds the notebook has left."""
        return self.deadline - time.monotonic()

    def cell_limit(self) -> float:
        """Seconds the next cell may take: the cell limit, or less when the notebook's ends first."""
        return min(self.limits.cell_timeout, self.left())


@dataclass
class _KernelEnd:
    """How one kernel's part of the run ended: ``died_at`` the cell it died in (None: it did
    not die), ``start_error`` why it could not start ("": it started)."""
    died_at: int | None = None
    start_error: str = ""


def run(nb, cwd: str, limits: Limits | None = None, box: sandbox.Config | None = None,
        factory: warm.Factory | None = None) -> RunResult:
    """Execute every code cell of ``nb`` (in place: outputs are written into it) in a kernel
    started in the sandbox ``box`` (default: resource limits only), forked from ``factory``
    when one is given (else a new Python process)."""
    limits = limits or Limits()
    box = box or sandbox.prepare("none", cwd, [], limits.resources)
    result = RunResult(cells=[CellRun(i) for i in range(len(nb.cells))])
    clock = _Clock(limits)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nntrain-kernel-") as tmp:
        ksm = KernelSpecManager(kernel_dirs=[make_kernelspec(tmp, box, factory)])
        log_path = os.path.join(tmp, "kernel-stderr.txt")
        first, restarts, failed_starts = 0, 0, 0
        while first < len(nb.cells):
            end = _one_kernel(nb, first, cwd, ksm, log_path, result, clock)
            if end.start_error:
                failed_starts += 1
                if failed_starts <= START_RETRIES:
                    time.sleep(0.5 * failed_starts)
                    continue
                result.events.append(f"kernel could not start: {end.start_error} ({_tail(log_path)})"[:500])
                break
            if end.died_at is None:
                break
            _record_death(nb, result, end.died_at)
            restarts, first = restarts + 1, end.died_at + 1
            if restarts > limits.max_restarts:
                result.events.append(f"gave up after {limits.max_restarts} kernel restarts")
                break
    result.seconds = time.monotonic() - start
    return result


def _one_kernel(nb, first: int, cwd: str, ksm, log_path: str, result: RunResult, clock: _Clock) -> _KernelEnd:
    """Start a kernel, replay what cells before ``first`` defined, run from ``first`` on."""
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm,
                            client_class=kernel.CLIENT_CLASS)
    client = _CappedClient(nb, clock.limits, km=km, timeout=int(clock.limits.cell_timeout),
                           allow_errors=True, interrupt_on_timeout=True,
                           resources={"metadata": {"path": cwd}}, record_timing=False,
                           iopub_timeout=10, shutdown_kernel="immediate")
    client.on_cell_executed = _record_reply(result)
    debug = bool(os.environ.get("NNTRAIN_GRADE_DEBUG"))
    started, end, t0 = None, _KernelEnd(), time.monotonic()
    log = None if debug else open(log_path, "wb")   # the kernel's stderr, for the reason
    try:
        # cleanup_kc: nbclient leaves a kernel it did not create running otherwise
        with client.setup_kernel(cwd=cwd, stdout=None if debug else subprocess.DEVNULL,
                                 stderr=log, cleanup_kc=True):
            started = (km.provisioner.pid, km.provisioner.pgid)
            result.start_seconds += time.monotonic() - t0
            _replay(client, nb, first, result)
            end.died_at = _run_cells(client, km, nb, first, result, clock)
            result.peak_rss = max(result.peak_rss, peak_rss(started[0]))
    except DeadKernelError:
        end.died_at = first if end.died_at is None else end.died_at
    except RuntimeError as exc:   # the kernel failed to start
        end.start_error = str(exc)
    finally:
        if started:
            _kill(pid=started[0], pgid=started[1])
        if log is not None:
            log.close()
    return end


def peak_rss(pid: int) -> int:
    """The largest peak resident size (bytes) of ``pid`` and the processes below it (the
    sandbox's init and the kernel), from /proc; 0 where /proc does not say."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, frontier = {pid}, [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(frontier)
    return max((_vm_hwm(p) for p in tree), default=0)


def _vm_hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next((x for x in f if x.startswith("VmHWM:")), "VmHWM: 0 kB")
        return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0


def _replay(client, nb, first: int, result: RunResult):
    """After a death: rerun the non-test code cells before ``first`` that ran (their outputs kept)."""
    for i in range(first):
        cell = nb.cells[i]
        if (cell.cell_type == "code" and not nbgrader_meta(cell).get("grade")
                and result.cells[i].status in ("ok", "error")):
            saved = cell.outputs
            client.execute_cell(cell, i)
            cell.outputs = saved


def _run_cells(client, km, nb, first: int, result: RunResult, clock: _Clock):
    """Run the cells from ``first`` on; return the index of the cell the kernel died in, or None."""
    for i in range(first, len(nb.cells)):
        cell, cell_run = nb.cells[i], result.cells[i]
        if cell.cell_type != "code":
            cell_run.status = "ok"
            continue
        if cell.metadata.get(SKIP):
            cell_run.status = "skipped"
            continue
        if clock.left() < 1:
            result.events.append(f"notebook time limit ({clock.limits.notebook_timeout:g} s) "
                                 f"reached before cell {i}")
            return None
        try:
            _run_cell(client, km, cell, cell_run, clock)
        except DeadKernelError:
            return i
        if cell_run.status == "timeout" and clock.left() < 1:
            result.events.append(f"notebook time limit ({clock.limits.notebook_timeout:g} s) "
                                 f"reached in cell {i}")
            return None
    return None


def _run_cell(client, km, cell, cell_run: CellRun, clock: _Clock):
    """Run one code cell within its time limit; record how it went in ``cell_run``."""
    limit = clock.cell_limit()
    client.timeout = max(1, math.ceil(limit))
    t0 = time.monotonic()
    # a cell that ignores the interrupt (it catches KeyboardInterrupt) gets its kernel
    # killed a little after the time limit
    watchdog = threading.Timer(limit + clock.limits.kill_grace, _kill, (km,))
    watchdog.start()
    try:
        client.execute_cell(cell, cell_run.index)
    except CellTimeoutError:
        cell_run.status, cell_run.error = "timeout", f"cell {cell_run.index} exceeded {limit:g} s"
        return
    finally:
        watchdog.cancel()
        cell_run.seconds = time.monotonic() - t0
    cell_run.error = _error_text(cell)
    if cell_run.reply == "error" and not cell_run.error:
        # the kernel reported an error that left no error output: the error display was
        # tampered with; it still counts
        cell_run.error = "the cell raised an error (its display was suppressed)"
    if time.monotonic() - t0 >= limit:
        cell_run.status = "timeout"
        cell_run.error = f"time limit of {limit:g} s exceeded ({cell_run.error})"
    else:
        cell_run.status = "error" if cell_run.error else "ok"


def _record_death(nb, result: RunResult, index: int):
    """The cell the kernel died in: failed, with an error output that says so."""
    result.cells[index].status = "kernel died"
    result.cells[index].error = "the kernel died while running this cell"
    nb.cells[index].outputs = [nbformat.from_dict({
        "output_type": "error", "ename": "KernelDied", "evalue": "the kernel died while running this cell",
        "traceback": ["KernelDied: the kernel died while running this cell (crash, os._exit or memory limit)"]})]
    result.events.append(f"kernel died in cell {index}")
