"""Run a notebook cell by cell in a separate, resource-limited kernel.

Student code never runs in the grader's process: each notebook gets its own IPython kernel,
started from a private kernelspec through the sandbox launcher (:mod:`.sandbox`: namespaces,
its own uid, resource limits).
Per cell: a time limit (then the kernel is interrupted and the next cell runs) and an output
cap in bytes (an error output is always kept, shortened).  Per notebook: a total time limit.
If the kernel dies (``os._exit``, a crash, the memory limit), the cell is recorded as
failed, a new kernel replays the non-test code cells before it, and execution resumes after
it, so exercises graded before and after the death keep their points.
"""
from __future__ import annotations

import dataclasses
import json
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

from .. import student
from . import sandbox
from .notebook import nbgrader_meta

SKIP = "nntrain_skip"   # metadata flag set by assemble() on unchanged demo cells

KERNEL_NAME = "nntrain-grader"
TRUNCATED = "\n[... output truncated by the grader ...]\n"


@dataclass
class Limits:
    cell_timeout: float = 60.0          # seconds of wall time per cell
    notebook_timeout: float = 600.0     # seconds of wall time per notebook
    memory_bytes: int = 4 * 1024 ** 3   # address space of the kernel process
    cpu_seconds: int = 900              # CPU time of the kernel process
    output_bytes: int = 100_000         # kept output per cell
    max_restarts: int = 3               # kernel deaths survived per notebook
    kill_grace: float = 10.0            # after the cell limit, a kernel ignoring the interrupt dies
    processes: int = 256                # processes and threads of the kernel's uid
    file_bytes: int = 256 * 1024 ** 2   # largest file the kernel may write


@dataclass
class CellRun:
    index: int
    status: str = "not run"   # "ok", "error", "timeout", "kernel died", "skipped", "not run"
    error: str = ""
    reply: str = ""           # the kernel's own verdict on the cell: "ok" or "error"


@dataclass
class RunResult:
    cells: list = field(default_factory=list)   # CellRun per cell of the notebook
    events: list = field(default_factory=list)  # what went wrong, in words
    seconds: float = 0.0


def make_kernelspec(folder: str, box: sandbox.Config) -> str:
    """Write a kernelspec that starts this Python's ipykernel through the sandbox launcher."""
    spec_dir = os.path.join(folder, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]
    box = dataclasses.replace(box, env={**box.env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                                        "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
                                        student.GRADING: "1"})
    spec = {"argv": sandbox.command(sandbox.write(box, folder), argv),
            "display_name": "nntrain grader", "language": "python"}
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return os.path.join(folder, "kernels")


class _CappedClient(NotebookClient):
    """nbclient that keeps at most ``limits.output_bytes`` of output per cell."""

    def __init__(self, nb, limits: Limits, **kw):
        super().__init__(nb, **kw)
        self._limits = limits
        self._bytes = {}

    def output(self, outs, msg, display_id, cell_index):
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
        if cell_index is not None and execute_reply:
            result.cells[cell_index].reply = execute_reply.get("content", {}).get("status", "")
    return hook


def _error_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"[:2000]
    return ""


def run(nb, cwd: str, limits: Limits | None = None, box: sandbox.Config | None = None) -> RunResult:
    """Execute every code cell of ``nb`` (in place: outputs are written into it) in a kernel
    started in the sandbox ``box`` (default: resource limits only)."""
    limits = limits or Limits()
    box = box or sandbox.prepare("none", cwd, [], limits)
    result = RunResult(cells=[CellRun(i) for i in range(len(nb.cells))])
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nntrain-kernel-") as tmp:
        ksm = KernelSpecManager(kernel_dirs=[make_kernelspec(tmp, box)])
        next_cell, restarts, failed_starts = 0, 0, 0
        log_path = os.path.join(tmp, "kernel-stderr.txt")
        while next_cell < len(nb.cells):
            km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
            client = _CappedClient(nb, limits, km=km, timeout=int(limits.cell_timeout),
                                   allow_errors=True, interrupt_on_timeout=True,
                                   resources={"metadata": {"path": cwd}},
                                   record_timing=False, iopub_timeout=10,
                                   shutdown_kernel="immediate")
            client.on_cell_executed = _record_reply(result)
            died_at, started, log = None, None, None
            try:
                debug = bool(os.environ.get("NNTRAIN_GRADE_DEBUG"))
                log = None if debug else open(log_path, "wb")   # the kernel's stderr, for the reason
                # cleanup_kc: nbclient leaves a kernel it did not create running otherwise
                with client.setup_kernel(cwd=cwd, stdout=None if debug else subprocess.DEVNULL,
                                         stderr=log, cleanup_kc=True):
                    started = (km.provisioner.pid, km.provisioner.pgid)
                    if next_cell:   # replay the code that defined things before a death
                        for i in range(next_cell):
                            cell = nb.cells[i]
                            if (cell.cell_type == "code" and not nbgrader_meta(cell).get("grade")
                                    and result.cells[i].status in ("ok", "error")):
                                saved = cell.outputs
                                client.execute_cell(cell, i)
                                cell.outputs = saved
                    for i in range(next_cell, len(nb.cells)):
                        cell, run_i = nb.cells[i], result.cells[i]
                        if cell.cell_type != "code":
                            run_i.status = "ok"
                            continue
                        if cell.metadata.get(SKIP):
                            run_i.status = "skipped"
                            continue
                        if time.monotonic() - start > limits.notebook_timeout:
                            result.events.append(f"notebook time limit ({limits.notebook_timeout:g} s) "
                                                 f"reached before cell {i}")
                            next_cell = len(nb.cells)
                            break
                        t0 = time.monotonic()
                        # a cell that ignores the interrupt (it catches KeyboardInterrupt)
                        # gets its kernel killed a little after the time limit
                        watchdog = threading.Timer(limits.cell_timeout + limits.kill_grace, _kill, (km,))
                        watchdog.start()
                        try:
                            client.execute_cell(cell, i)
                        except CellTimeoutError:
                            run_i.status, run_i.error = "timeout", f"cell {i} exceeded {limits.cell_timeout:g} s"
                            continue
                        except DeadKernelError:
                            died_at = i
                            break
                        finally:
                            watchdog.cancel()
                        run_i.error = _error_text(cell)
                        if run_i.reply == "error" and not run_i.error:
                            # the kernel reported an error that left no error output:
                            # the error display was tampered with; it still counts
                            run_i.error = "the cell raised an error (its display was suppressed)"
                        if time.monotonic() - t0 >= limits.cell_timeout:
                            run_i.status = "timeout"
                            run_i.error = f"time limit of {limits.cell_timeout:g} s exceeded ({run_i.error})"
                        else:
                            run_i.status = "error" if run_i.error else "ok"
                    else:
                        next_cell = len(nb.cells)
            except DeadKernelError:
                died_at = next_cell if died_at is None else died_at
            except RuntimeError as exc:   # kernel failed to start: retry, then say why
                failed_starts += 1
                if failed_starts <= START_RETRIES:
                    time.sleep(0.5 * failed_starts)
                    continue
                result.events.append(f"kernel could not start: {exc} ({_tail(log_path)})"[:500])
                break
            finally:
                if started:
                    _kill(pid=started[0], pgid=started[1])
                if log is not None:
                    log.close()
            if died_at is None:
                break
            result.cells[died_at].status = "kernel died"
            result.cells[died_at].error = "the kernel died while running this cell"
            nb.cells[died_at].outputs = [nbformat.from_dict({
                "output_type": "error", "ename": "KernelDied", "evalue": "the kernel died while running this cell",
                "traceback": ["KernelDied: the kernel died while running this cell (crash, os._exit or memory limit)"]})]
            result.events.append(f"kernel died in cell {died_at}")
            restarts += 1
            next_cell = died_at + 1
            if restarts > limits.max_restarts:
                result.events.append(f"gave up after {limits.max_restarts} kernel restarts")
                break
    result.seconds = time.monotonic() - start
    return result
