"""Warm kernels: the grader's side of the warm kernel factory (:mod:`._warm`).

One factory process per batch imports ipykernel, NumPy, Matplotlib and the library once;
every notebook's kernel is then forked from it and confined by the same launcher steps as a
cold kernel (:mod:`._launch`), so it starts in a fraction of the time and is just as isolated.
It plugs into Jupyter where Jupyter expects it, as a kernel provisioner
(:class:`WarmProvisioner`, entry point ``nntrain-warm``): the kernelspec names it and the
factory (:func:`kernelspec_metadata`); everything else of ``jupyter_client`` and ``nbclient``
is unchanged.

    with Factory.start() as factory:         # once per batch; raises FactoryError if it cannot
        ... kernelspec with kernelspec_metadata(factory) ...
"""
from __future__ import annotations

import asyncio
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import entry_points
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

from . import sandbox

SCRIPT = str(Path(__file__).with_name("_warm.py"))
PROVISIONER = "nntrain-warm"
START_SECONDS = 120            # the factory's imports, on a slow, busy machine
_FACTORIES: dict = {}          # id -> running Factory (the provisioner finds its factory here)


class FactoryError(RuntimeError):
    """The warm kernel factory could not start (the reason is the message)."""


class ForkedKernel:
    """A kernel process forked by the factory, watched and signalled through a pidfd (so a
    reused pid is never hit): the part of :class:`subprocess.Popen` that a provisioner uses.
    The grader is not its parent, so its exit status is not known: ``returncode`` is 0 once
    it has ended."""

    def __init__(self, pid: int, pidfd: int):
        self.pid, self._pidfd = pid, pidfd
        self.returncode = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self):
        """None while it runs, else its ``returncode``."""
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = 0
            os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout=None):
        """Block until it has ended (at most ``timeout`` seconds)."""
        if self.returncode is None:
            select.select([self._pidfd], [], [], timeout)
        return self.poll()

    def send_signal(self, signum: int):
        """Send ``signum`` to the process itself."""
        if self.poll() is None:
            try:
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self):
        """SIGKILL: its namespace, and with it everything it started, ends too."""
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        """SIGTERM (the launcher turns it into the end of the namespace)."""
        self.send_signal(signal.SIGTERM)


def _stdio(value, default: int):
    """An fd for the child from a Popen-style stdio argument (None: ``default``)."""
    if value is None:
        return os.dup(default)
    if value in (subprocess.DEVNULL, subprocess.PIPE):
        return os.open(os.devnull, os.O_RDWR)
    return os.dup(value if isinstance(value, int) else value.fileno())


class Factory:
    """The factory process of one batch (see :mod:`._warm`): start it, fork kernels, close it."""

    def __init__(self, proc: subprocess.Popen, sock: socket.socket, folder: str):
        self.proc, self._sock, self._folder = proc, sock, folder
        self._lock = threading.Lock()
        self.id = f"{os.getpid()}-{id(self)}"

    @classmethod
    def start(cls, env: dict | None = None) -> "Factory":
        """Start a factory and wait until it is warm; :class:`FactoryError` if it cannot."""
        if not hasattr(os, "pidfd_open"):
            raise FactoryError("this system has no pidfd_open (Linux 5.3 or later)")
        if not entry_points(group="jupyter_client.kernel_provisioners", name=PROVISIONER):
            raise FactoryError(f"Jupyter does not know the {PROVISIONER!r} kernel provisioner: "
                               f"install the project (pip install -e .) to register it")
        folder = tempfile.mkdtemp(prefix="nntrain-warm-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**(env if env is not None else os.environ), **sandbox.KERNEL_ENV,
               "MPLCONFIGDIR": os.path.join(folder, "matplotlib"), "HOME": folder}
        sandbox.copy_matplotlib_cache(env["MPLCONFIGDIR"])
        with open(os.path.join(folder, "stderr.txt"), "wb") as log:
            proc = subprocess.Popen([sys.executable, SCRIPT, str(theirs.fileno())], cwd=folder, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                    pass_fds=[theirs.fileno()], start_new_session=True)
        theirs.close()
        factory = cls(proc, ours, folder)
        factory._await_ready()
        _FACTORIES[factory.id] = factory
        return factory

    def _await_ready(self):
        if not select.select([self._sock], [], [], START_SECONDS)[0]:
            self.close()
            raise FactoryError(f"the warm kernel factory did not start within {START_SECONDS} s")
        reply = json.loads(self._sock.recv(1 << 16) or b'{"error": "it exited"}')
        if "ready" not in reply:
            why = reply["error"] + self._stderr()
            self.close()
            raise FactoryError(why)

    def _stderr(self) -> str:
        try:
            text = Path(self._folder, "stderr.txt").read_text(errors="replace").strip()
        except OSError:
            return ""
        return f" ({text[-300:]})" if text else ""

    def fork(self, cmd: list, env: dict, cwd: str, stdin=None, stdout=None, stderr=None) -> ForkedKernel:
        """Start the kernel of ``cmd`` (a kernelspec command line through :mod:`._launch`)."""
        fds = [_stdio(stdin if stdin is not None else subprocess.DEVNULL, 0), _stdio(stdout, 1), _stdio(stderr, 2)]
        request = json.dumps({"cmd": list(cmd), "env": dict(env), "cwd": str(cwd)}).encode()
        try:
            with self._lock:
                socket.send_fds(self._sock, [request], fds)
                msg, pidfds, _, _ = socket.recv_fds(self._sock, 1 << 16, 1)
        except OSError as exc:
            raise FactoryError(f"the warm kernel factory has stopped ({exc})") from exc
        finally:
            for fd in fds:
                os.close(fd)
        if not msg or not pidfds:
            raise FactoryError(f"the warm kernel factory has stopped{self._stderr()}")
        return ForkedKernel(json.loads(msg)["pid"], pidfds[0])

    def close(self):
        """Stop the factory (its kernels are not its business: each ends with its notebook)."""
        _FACTORIES.pop(self.id, None)
        self._sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def kernelspec_metadata(factory: Factory) -> dict:
    """The kernelspec metadata that starts kernels through ``factory``."""
    return {"kernel_provisioner": {"provisioner_name": PROVISIONER, "config": {"factory_id": factory.id}}}


class WarmProvisioner(LocalProvisioner):
    """A kernel provisioner that forks its kernel from a warm factory instead of starting a
    new process: :class:`LocalProvisioner` in everything else (ports, connection file,
    signals to the process group, shutdown)."""

    factory_id = Unicode("", config=True, help="which running Factory of this process to use")

    async def launch_kernel(self, cmd, **kwargs):
        """Fork the kernel; return its connection information."""
        factory = _FACTORIES.get(self.factory_id)
        try:
            if factory is None:
                raise FactoryError(f"no warm kernel factory {self.factory_id!r} in this process")
            self.process = factory.fork(cmd, kwargs.get("env") or os.environ, kwargs.get("cwd") or os.getcwd(),
                                        kwargs.get("stdin"), kwargs.get("stdout"), kwargs.get("stderr"))
        except FactoryError as exc:   # the same command, started cold: slower, as safe
            self.log.warning("nntrain: %s; this kernel starts cold", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.pgid = self.process.pid   # the child starts a session of its own
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    async def kill(self, restart: bool = False):
        """SIGKILL to the kernel's process group; returns once it has ended (or after 50 ms),
        so that jupyter_client's next check finds it gone instead of sleeping 100 ms."""
        await super().kill(restart)
        if self.process is not None:
            self.process.wait(0.05)

    async def wait(self):
        """Until the kernel has ended (checked every 5 ms, not LocalProvisioner's 100 ms: a
        killed kernel is gone within milliseconds, and the grading slot waits for it)."""
        if self.process is None:
            return 0
        while self.process.poll() is None:
            await asyncio.sleep(0.005)
        code, self.process = self.process.returncode, None
        return code
