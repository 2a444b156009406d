"""Start one grading kernel inside a sandbox.  Run as a script, never imported by the grader:

    python -I -S _launch.py CONFIG.json -- KERNEL_ARGV...

It uses the standard library only, so that it starts fast and sees nothing of the course.
CONFIG (written by :mod:`nntrain.grading.sandbox`) says what to do:

``mode``
    ``"root"``: the grader runs as root.  New mount and PID namespaces; the kernel then runs as
    an unprivileged uid of its own (``uid``).  ``"userns"``: the grader is an ordinary user;
    a new user namespace gives the same mount and PID namespaces, and the kernel keeps the
    grader's uid but sees a read-only course.  ``"none"``: only the resource limits.
``hide``
    Paths the kernel must not see: a directory is covered by an empty read-only tmpfs, a file
    by ``/dev/null`` (the gradebook, the solutions and hidden tests, the other submissions,
    the grades, the grader's home).
``expose``
    Paths put back inside a hidden directory (the Python installation, the virtual
    environment, the library).  ``workdir`` is exposed read-write: the only place on disk the
    kernel can write, besides its private ``/tmp``.
``private``
    Directories replaced by an empty, size-limited, writable tmpfs (``/tmp``, ``/dev/shm``).
``proc``
    ``"new"`` (a /proc of the new PID namespace, else an empty one) or ``"empty"``.

Every other mount is made read-only in the namespace (but ``/proc``, ``/sys`` and ``/dev``),
for the ``userns`` mode, where permissions alone would not stop a write.
``rlimits``
    Resource limits of the kernel and everything it starts (address space, CPU seconds,
    processes, file size, no core files).

The process tree: this launcher (the process Jupyter knows) -> a small init, PID 1 of the new
PID namespace -> the kernel.  When the kernel exits or the launcher is killed, the init
dies, and with it the kernel dies and so does every process it started, detached or not.  So a
fork bomb or a runaway subprocess never outlives its notebook.
"""
import ctypes
import json
import os
import resource
import select
import signal
import sys

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWIPC = 0x00020000, 0x20000000, 0x10000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38

_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _under(path, parent):
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _depth(path):
    return path.rstrip("/").count("/")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
_KEEP = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
         "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
_LIVE = ("/proc", "/sys", "/dev")   # the kernel's own views and devices: left as they are


def _mounts():
    """(mount point, per-mount flags) of every mount in this namespace."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")   # \040 for a space, etc.
            flags = 0
            for opt in fields[5].split(","):
                flags |= _KEEP.get(opt, 0)
            out.append((point, flags))
    return out


def _build_filesystem(cfg):
    """Inside the new mount namespace: make the kernel's view of the file system."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    work = cfg["workdir"]
    # the work folder gets a mount of its own, which stays writable; the fd reaches it even
    # after something covers its path (a bind from /proc/self/fd/N)
    _mount(work, work, None, MS_BIND)
    work_fd = os.open(work, os.O_PATH | os.O_DIRECTORY)
    # everything else read-only: every mount but the live ones and the work folder's
    for point, flags in _mounts():
        if point == work or any(_under(point, live) for live in _LIVE):
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            if point == "/":
                raise
    exposed = {}
    for path in cfg["expose"]:
        if os.path.exists(path):
            exposed[path] = os.open(path, os.O_PATH)
    exposed[work] = work_fd
    covers = [(p, "hide") for p in cfg["hide"]] + [(p, "private") for p in cfg["private"]]
    for path, kind in sorted(covers, key=lambda c: _depth(c[0])):
        if not os.path.lexists(path) or os.path.islink(path):
            continue                        # not there, or already covered by a shallower one
        if not os.path.isdir(path):
            _mount("/dev/null", path, None, MS_BIND)
            continue
        if kind == "private":
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={cfg['private_bytes']}")
        else:
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
        for inner, fd in sorted(exposed.items(), key=lambda e: _depth(e[0])):
            if _under(inner, path) and inner != path:
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(inner, mode=0o755, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(inner), mode=0o755, exist_ok=True)
                    open(inner, "a").close()
                _mount(f"/proc/self/fd/{fd}", inner, None, MS_BIND | MS_REC)
        if kind == "hide":
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for fd in exposed.values():
        os.close(fd)


def _mount_proc(how):
    """A /proc of the new PID namespace (the grader's processes are not in it).  Where that
    cannot be mounted (a container's masked /proc in a user namespace), an empty /proc
    instead: the old one would show the grader's processes, and with them, through
    /proc/PID/root, the files this sandbox hides."""
    if how == "new":
        try:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            return
        except OSError:
            pass
    _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k")


def _limit(cfg):
    for name, value in cfg["rlimits"].items():
        res = getattr(resource, name)
        soft, hard = resource.getrlimit(res)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(res, (value, value))


def _exec(argv):
    """Start the kernel: replace this process with ``argv``."""
    os.execv(argv[0], argv)


def _become_kernel(cfg, argv, start):
    """The last step of the kernel process: limits, identity, then ``start(argv)`` (an exec,
    or, in the warm kernel factory, the kernel started in this already-warm process)."""
    _limit(cfg)
    uid = cfg.get("uid")
    if cfg["mode"] == "root" and uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.chdir(cfg["workdir"])               # through the new mount tree, never the covered one
    os.environ.update(cfg["env"])
    if cfg["mode"] != "none":
        # ipykernel polls its parent and quits when the parent is PID 1, which the init of the
        # namespace is; the namespace already ends the kernel when the launcher dies
        os.environ.pop("JPY_PARENT_PID", None)
    start(argv)


def _run_init(kernel_pid):
    """PID 1 of the namespace: reap every orphan; leave when the kernel leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == kernel_pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _read_config(cfg_path):
    """The launcher's configuration, refused if it names a relative path or an unknown mode."""
    with open(cfg_path) as f:
        cfg = json.load(f)
    paths = [cfg["workdir"], *cfg["hide"], *cfg["expose"], *cfg["private"]]
    relative = [p for p in paths if not os.path.isabs(p)]
    if relative or cfg["mode"] not in ("root", "userns", "none"):
        sys.exit(f"nntrain sandbox: bad configuration (mode {cfg['mode']!r}, relative paths {relative})")
    return cfg


def _private_connection_file(cfg, argv):
    """The connection file lives in the grader's runtime folder, which the kernel must not
    see: hand the kernel a copy in its own folder (``argv`` is changed in place)."""
    if "-f" not in argv:
        return
    i = argv.index("-f") + 1
    with open(argv[i]) as f:
        conn = f.read()
    copy = os.path.join(cfg["workdir"], ".connection.json")
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(conn)
    if cfg["mode"] == "root" and cfg.get("uid") is not None:
        os.chown(copy, cfg["uid"], cfg["uid"])
    argv[i] = copy


def _enter_namespaces(mode):
    """New mount, PID and IPC namespaces (and, in ``userns`` mode, a user namespace that maps
    the grader's uid to root inside it)."""
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC
    uid, gid = os.getuid(), os.getgid()
    if mode == "userns":
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare")
    if mode == "userns":
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")


def _init_process(cfg, argv, alive_r, start):
    """PID 1 of the new namespace: dies with the launcher, builds the kernel's filesystem,
    starts the kernel and reaps until it exits (never returns)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if select.select([alive_r], [], [], 0)[0]:
        os._exit(1)                 # the launcher died before the death signal was armed
    os.close(alive_r)
    try:
        _build_filesystem(cfg)
        _mount_proc(cfg.get("proc", "new"))
    except Exception as exc:
        print(f"nntrain sandbox: {exc}", file=sys.stderr)
        os._exit(70)
    kernel = os.fork()
    if kernel == 0:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            _become_kernel(cfg, argv, start)
        except BaseException as exc:
            print(f"nntrain sandbox: {exc}", file=sys.stderr)
        os._exit(70)
    _run_init(kernel)


def _wait_for(init):
    """The launcher: pass SIGTERM and SIGHUP on as SIGKILL to the init, exit with its status."""
    def stop(signum, frame):
        """Kill the init, and so the whole namespace."""
        os.kill(init, signal.SIGKILL)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    while True:
        try:
            _, status = os.waitpid(init, 0)
            break
        except InterruptedError:
            continue
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def die_with(parent):
    """End this process when ``parent`` (the grader, or the warm factory) ends, even by
    SIGKILL, so that no kernel outlives the grading run; at once if it has ended already."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def launch(cfg_path, argv, start=_exec, parent=None):
    """Start the kernel ``argv`` in the sandbox that ``cfg_path`` describes; ``start`` is the
    kernel's last step (see :func:`_become_kernel`).  This process stays as the launcher,
    dies with ``parent`` (default: the process that started it) and exits with the kernel
    (never returns)."""
    die_with(parent or os.getppid())
    cfg = _read_config(cfg_path)
    _private_connection_file(cfg, argv)
    if cfg["mode"] == "none":
        _become_kernel(cfg, argv, start)
        os._exit(0)
    _enter_namespaces(cfg["mode"])
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the kernel gets the interrupt itself
    alive_r, alive_w = os.pipe()    # EOF on alive_r: the launcher is gone
    init = os.fork()
    if init == 0:
        os.close(alive_w)
        _init_process(cfg, argv, alive_r, start)
    os.close(alive_r)
    _wait_for(init)


def main():
    """``_launch.py CONFIG.json -- KERNEL_ARGV...``: start the kernel in its sandbox."""
    cfg_path, sep, *argv = sys.argv[1:]
    assert sep == "--", "usage: _launch.py CONFIG.json -- KERNEL_ARGV..."
    launch(cfg_path, argv)


if __name__ == "__main__":
    main()
