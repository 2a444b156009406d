"""Two file operations every writer of the course's files needs.

- :func:`atomic_write`: a reader (a student's browser, a second grader, ``nbgrader``) never
  sees half a file: the text goes to a temporary file beside the target, which then replaces
  it in one step.
- :func:`file_lock`: one holder at a time across processes (two instructors' commands,
  parallel test workers), released when the holder exits, even by a crash.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from pathlib import Path


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` in one step; create its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a name of this writer's own (two writers at once never share one); mode "x" creates it
    # with the permissions of any new file
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive lock on the file ``path`` (created if missing) within the block."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
