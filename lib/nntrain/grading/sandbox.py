"""Where a grading kernel runs: what it can see, write, start and use.

A submission is hostile until proven otherwise, so its kernel starts through
:mod:`nntrain.grading._launch` in a sandbox of its own:

- **its own mount namespace**: the gradebook, the solutions (hidden tests), the project's
  tests, the Git history, the submissions and the grades and the grader's home are covered
  by empty read-only mounts; every other mount is read-only; ``/tmp`` and ``/dev/shm`` are private
  and small.  The only folder it can write is its own copy of the submission's folder.
- **its own PID namespace**: it cannot see the grader's processes, and when its notebook is
  done everything it started dies with it (fork bombs, detached subprocesses).
- **its own uid** when the grader runs as root (one per grading slot), so that Unix
  permissions and the per-user process limit apply to it;
- **resource limits**: address space, CPU seconds, processes, file size, no core files.

Modes, chosen by :func:`detect`: ``root`` (all of the above), ``userns`` (an ordinary user with
unprivileged user namespaces: the same namespaces, the grader's uid), ``none`` (no namespaces
available: resource limits only; the summary says so).
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import student

LAUNCHER = str(Path(__file__).with_name("_launch.py"))
MODES = ("root", "userns", "none")
#: every kernel's environment, whatever its sandbox: one thread for the linear algebra, no
#: bytecode written, and the mark that tells the library it runs under the grader
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONDONTWRITEBYTECODE": "1", student.GRADING: "1"}
UID_BASE = 1_900_000_000          # far above any real account: uid BASE + slot
PRIVATE_BYTES = 256 * 1024 ** 2   # size of the private /tmp and /dev/shm


@dataclass(frozen=True)
class Resources:
    """What the kernel and everything it starts may use (its resource limits)."""
    memory_bytes: int = 4 * 1024 ** 3   # address space of the kernel process
    cpu_seconds: int = 900              # CPU time of the kernel process
    processes: int = 256                # processes and threads of the kernel's uid
    file_bytes: int = 256 * 1024 ** 2   # largest file the kernel may write


@dataclass(frozen=True)
class Policy:
    """How every kernel of one batch is confined: the mode (see :func:`detect`) and the
    paths it must not see (see :func:`hidden_paths`)."""
    mode: str = "none"
    hide: tuple = ()

    def prepare(self, workdir: str, resources: Resources, slot: int = 0) -> "Config":
        """The sandbox of one kernel of this batch (see :func:`prepare`)."""
        return prepare(self.mode, workdir, list(self.hide), resources, slot)


@dataclass
class Config:
    """One kernel's sandbox: what :mod:`._launch` reads (see its docstring)."""
    mode: str
    workdir: str
    uid: int | None = None
    hide: list = field(default_factory=list)
    expose: list = field(default_factory=list)
    private: list = field(default_factory=lambda: ["/tmp", "/var/tmp", "/dev/shm"])
    private_bytes: int = PRIVATE_BYTES
    proc: str = "new"
    rlimits: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)


@functools.lru_cache(maxsize=None)
def _python_paths() -> tuple:
    """What the kernel needs to start: the interpreter, the environment, the library (and
    nothing else of the grader's ``sys.path``, which may hold the course's own folders)."""
    import sysconfig

    import nntrain
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable),
             str(Path(nntrain.__file__).resolve().parents[1])}
    paths |= {sysconfig.get_path(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths = {p for p in paths if p and os.path.isdir(p)}
    paths |= {os.path.realpath(p) for p in list(paths)}
    return tuple(sorted(paths))


def _closed_folders(paths) -> list:
    """Folders above ``paths`` that other users cannot enter (e.g. a home of mode 0700 that
    holds the Python installation, when HOME points elsewhere).  In root mode the kernel
    runs as another user, so they are covered like hidden folders, and what lies below them
    is put back (:mod:`._launch`)."""
    closed = set()
    for path in paths:
        for parent in Path(path).parents:
            try:
                if not os.stat(parent).st_mode & 0o001:
                    closed.add(str(parent))
            except OSError:
                pass
    return sorted(closed - {"/"})


def _home() -> list:
    home = os.path.expanduser("~")
    return [home] if home not in ("/", "") and os.path.isdir(home) else []


def hidden_paths(root: Path, extra=(), db_url: str = "") -> list:
    """What a kernel must never see: the instructor's side of the course (with the gradebook
    at ``db_url``, wherever the course's configuration puts it) and the grader's home."""
    root = Path(root).resolve()
    paths = [root / "solutions", root / "source", root / "autograder", root / "tests",
             root / ".git", *map(Path, extra)]
    paths += _home()
    if db_url.startswith("sqlite:///"):
        paths.append(Path(db_url[len("sqlite:///"):]))
    # real paths: a mount lands on what a path resolves to, and mountinfo lists real paths
    return sorted({os.path.realpath(p) for p in paths if str(p) not in ("/", "")})


_probed: dict = {}
_probe_lock = threading.Lock()


def probe(mode: str) -> str:
    """'' when a kernel can start in ``mode`` here, else why not."""
    with _probe_lock:
        if mode in _probed:
            return _probed[mode]
        if mode == "root" and os.geteuid() != 0:
            _probed[mode] = "the grader does not run as root"
            return _probed[mode]
        with tempfile.TemporaryDirectory(prefix="nntrain-probe-") as tmp:
            work, secret = os.path.join(tmp, "work"), os.path.join(tmp, "secret")
            os.mkdir(work)
            os.mkdir(secret)
            open(os.path.join(secret, "gradebook"), "w").close()
            cfg = prepare(mode, work, [secret, *_home()], Resources())
            path = write(cfg, tmp)
            code = (f"import os; print(os.getuid(), os.path.isdir({secret!r}) "
                    f"and os.listdir({secret!r}) or [])")
            try:
                done = subprocess.run([sys.executable, "-I", "-S", LAUNCHER, path, "--",
                                       sys.executable, "-I", "-S", "-c", code],
                                      capture_output=True, text=True, timeout=30)
                ok = done.returncode == 0 and done.stdout.split()[-1:] == ["[]"]
                _probed[mode] = "" if ok else (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
            except (OSError, subprocess.SubprocessError) as exc:
                _probed[mode] = str(exc)[:300]
        return _probed[mode]


def detect(requested: str = "auto") -> str:
    """The strongest mode that works here (``requested`` may force one; it must work)."""
    if requested != "auto":
        if requested not in MODES:
            raise ValueError(f"sandbox must be 'auto' or one of {MODES}, got {requested!r}")
        why = probe(requested) if requested != "none" else ""
        if why:
            raise RuntimeError(f"sandbox mode {requested!r} is not available here: {why}")
        return requested
    for mode in ("root", "userns"):
        if not probe(mode):
            return mode
    return "none"


def why_not_stronger(mode: str) -> str:
    """Why the modes stronger than ``mode`` are not used here, e.g. "root: the grader does not
    run as root" ('' for the strongest mode)."""
    stronger = MODES[:MODES.index(mode)]
    return "; ".join(f"{m}: {probe(m) or 'not requested'}" for m in stronger)


class Slots:
    """Grading slots, one per running kernel, each with a uid of its own (root mode).

    A slot is held through an exclusive lock on a file, so that two batches graded at the
    same time on one machine never share a uid; a crashed grader releases its locks."""

    def __init__(self, folder: str | None = None):
        self.folder = folder or os.path.join(tempfile.gettempdir(), "nntrain-slots")

    @contextmanager
    def take(self):
        """Hold the lowest free slot within the block; yields its number."""
        import fcntl
        os.makedirs(self.folder, exist_ok=True)
        slot = 0
        while True:
            fd = os.open(os.path.join(self.folder, f"{slot}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                os.close(fd)
                slot += 1
        try:
            yield slot
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


SLOTS = Slots()


def _chown_tree(path: str, uid: int):
    for dirpath, dirnames, filenames in os.walk(path):
        for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
            os.lchown(name, uid, uid)


def copy_matplotlib_cache(dest: str):
    """Copy the grader's font cache, so that a kernel does not spend seconds rebuilding it."""
    try:
        import matplotlib
        src = matplotlib.get_cachedir()
    except Exception:
        return
    os.makedirs(dest, exist_ok=True)
    for name in os.listdir(src) if os.path.isdir(src) else []:
        if name.startswith("fontlist") and name.endswith(".json"):
            shutil.copy(os.path.join(src, name), dest)


def prepare(mode: str, workdir: str, hide: list, resources: Resources, slot: int = 0) -> Config:
    """The sandbox of one kernel run in ``workdir`` (which it may write), in grading slot
    ``slot`` (its uid in root mode)."""
    workdir = os.path.realpath(workdir)
    uid = UID_BASE + slot if mode == "root" else None
    env = {"HOME": workdir, "TMPDIR": "/tmp", "IPYTHONDIR": os.path.join(workdir, ".ipython"),
           "MPLCONFIGDIR": os.path.join(workdir, ".config", "matplotlib"),
           "JUPYTER_RUNTIME_DIR": os.path.join(workdir, ".local", "runtime"),
           "XDG_CACHE_HOME": os.path.join(workdir, ".cache")}
    copy_matplotlib_cache(env["MPLCONFIGDIR"])
    nproc = resources.processes
    if mode != "root":
        nproc += _tasks_of(os.getuid())   # the limit counts the grader's own processes too
    rlimits = {"RLIMIT_AS": resources.memory_bytes, "RLIMIT_CPU": resources.cpu_seconds,
               "RLIMIT_FSIZE": resources.file_bytes, "RLIMIT_CORE": 0, "RLIMIT_NPROC": nproc}
    if mode == "none":
        rlimits.pop("RLIMIT_NPROC")   # it would count every process of the grader's user
    hide = list(hide)
    if uid is not None:
        hide += _closed_folders([workdir, *_python_paths()])
    cfg = Config(mode=mode, workdir=workdir, uid=uid, hide=hide, expose=list(_python_paths()),
                 rlimits=rlimits, env=env)
    if uid is not None:
        _chown_tree(workdir, uid)
    return cfg


def _tasks_of(uid: int) -> int:
    """How many processes and threads the user ``uid`` runs now."""
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return count


def write(cfg: Config, folder: str) -> str:
    """Write ``cfg`` where :mod:`._launch` reads it; return the file's path."""
    path = os.path.join(folder, "sandbox.json")
    with open(path, "w") as f:
        json.dump(asdict(cfg), f)
    return path


def command(cfg_path: str, argv: list) -> list:
    """The kernelspec argv: the launcher, then the kernel's own argv."""
    return [sys.executable, "-I", "-S", LAUNCHER, cfg_path, "--", *argv]
