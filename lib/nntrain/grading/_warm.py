"""The warm kernel factory: a process that has imported what every grading kernel imports, and
forks a fresh kernel for each notebook.  Run as a script by :mod:`.warm`, never imported by the
grader:

    python _warm.py FD        (FD: a SOCK_SEQPACKET socket to the grader)

Starting a kernel costs about a second of CPU, mostly imports (ipykernel, NumPy, Matplotlib,
the library) that are the same for every notebook.  This process does them once, then waits.
For each request (the kernelspec's command line, the kernel's environment and working folder,
and, as passed file descriptors, its stdin, stdout and stderr) it forks a child that goes the
way :mod:`._launch` goes (new namespaces, the kernel's file system, its uid, its limits) and
then, instead of executing a new Python, starts the kernel in the already-warm process.
So each notebook still gets a process of its own, created for it, confined before any of its
code runs, and nothing of an earlier notebook is in it: this process never runs a notebook's
code, never sees a connection key (the child reads the connection file) and keeps no
request (the child parses it; the factory wipes it).  The reply is the
child's pid and a pidfd for it; the grader signals and watches the child through that pidfd.

What a fork shares with its factory, and a fresh process would not: the state of the modules
imported here.  The global NumPy generator is reseeded from the OS in every child (Python's
``random`` reseeds itself after a fork); the rest is import-time state that never changes.
"""
import array
import json
import os
import signal
import socket
import sys

import _launch   # beside this file (sys.path[0] while starting)

#: imported once here: what a kernel and the grader's integrity snapshot import anyway (but
#: matplotlib_inline.backend_inline, which hooks into IPython when it is imported, so only
#: in a kernel; pyplot imports it at the first figure)
WARM = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython",
        "numpy", "numpy.testing", "numpy.linalg", "numpy.random", "matplotlib", "matplotlib.pyplot",
        "nntrain", "nntrain.testing", "nntrain.reference", "nntrain.checks", "nntrain.gradcheck",
        "nntrain.losses", "nntrain.optim", "nntrain.ema", "nntrain.functions", "nntrain.preprocess",
        "nntrain.init", "nntrain.layers", "nntrain.data", "nntrain.tuning", "nntrain.model",
        "nntrain.train", "nntrain.plot", "nntrain.student")


def _warm_up():
    """Import :data:`WARM` (what is missing is left to the kernel), with the backend an
    IPython kernel would choose."""
    import importlib
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p not in ("", here, os.getcwd())]


def _start_kernel(argv):
    """The kernel's last step in a forked child: what ``python -m ipykernel_launcher ARGS``
    would do, in this process."""
    args = argv[argv.index("ipykernel_launcher") + 1:]
    import numpy
    from ipykernel import kernelapp
    numpy.random.seed()                   # a generator of its own, as a fresh process has
    sys.argv = [kernelapp.__file__, *args]
    try:
        kernelapp.launch_new_instance()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(0)


def _child(request, fds, sock, factory):
    """The forked child: the request's stdio and environment, a session of its own (the
    grader interrupts its process group), then the launcher's path with a warm start (it
    dies with the ``factory``, which dies with the grader)."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        sock.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 1 << 16)
        os.setsid()
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        cmd = request["cmd"]
        _launch.launch(cmd[cmd.index("--") - 1], cmd[cmd.index("--") + 1:], start=_start_kernel,
                       parent=factory)
    except BaseException as exc:
        print(f"nntrain warm kernel factory: {exc}", file=sys.stderr)
    os._exit(70)


def _reap(signum, frame):
    """Collect the children that ended (the grader watches them through their pidfds)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _receive(sock, buffer: bytearray):
    """One request, read into ``buffer`` (no other copy of it in this process): its length
    and the file descriptors that came with it (0: the grader has closed its end)."""
    size = socket.CMSG_SPACE(3 * array.array("i").itemsize)
    n, ancillary, flags, _ = sock.recvmsg_into([buffer], size)
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise SystemExit("nntrain warm kernel factory: a request too large")
    return n, list(fds)


def _serve(sock):
    """Fork a child per request until the grader closes its end.  A request (one kernel's
    command line, environment and folder, which names its student) is parsed only in the
    child and wiped here after the fork, so no later kernel finds it in the memory it
    inherits from this process."""
    buffer = bytearray(1 << 20)
    while True:
        n, fds = _receive(sock, buffer)
        if not n:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        # no reaping between the fork and the pidfd: a child that ends at once keeps its pid
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        factory = os.getpid()
        pid = os.fork()
        if pid == 0:
            _child(json.loads(bytes(buffer[:n])), fds, sock, factory)
        buffer[:n] = bytes(n)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
        os.close(pidfd)


def main():
    """Warm up, say so, serve."""
    _launch.die_with(os.getppid())   # the grader
    signal.signal(signal.SIGCHLD, _reap)
    sock = socket.socket(fileno=int(sys.argv[1]))
    _warm_up()
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:   # a fork copies one thread: the factory must have no other
        sock.send(json.dumps({"error": f"the factory runs {threads} threads after its imports"}).encode())
        return
    sock.send(json.dumps({"ready": os.getpid()}).encode())
    _serve(sock)


if __name__ == "__main__":
    main()
