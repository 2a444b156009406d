"""Where the course lives, which chapters it has, and how nbgrader is called."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course itself is broken (missing folder, failed nbgrader call): grading cannot go on."""


def find_root(start=None) -> Path:
    """The course root: the nearest folder at or above ``start`` (default: the current folder)
    holding ``nbgrader_config.py`` and ``solutions/``; else the repository this package was
    installed from (editable install)."""
    candidates = []
    here = Path(start or os.getcwd()).resolve()
    candidates += [here, *here.parents]
    candidates.append(Path(__file__).resolve().parents[3])
    for folder in candidates:
        if (folder / CONFIG).is_file() and (folder / "solutions").is_dir():
            return folder
    raise CourseError(f"no course root found: run from the repository root (the folder with {CONFIG} "
                      f"and solutions/) or pass --root")


def chapter_ids(root: Path) -> list[str]:
    """Chapter ids in order: every ``solutions/<id>/<id>.ipynb``."""
    root = Path(root)
    return sorted(p.name for p in (root / "solutions").iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").is_file())


def resolve_chapters(root: Path, requested=None) -> list[str]:
    """The ``requested`` chapter ids (all when none), checked against the course's."""
    known = chapter_ids(root)
    if not requested:
        return known
    unknown = [c for c in requested if c not in known]
    if unknown:
        raise CourseError(f"unknown chapter(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return list(requested)


def _tools_on_path(env=None):
    """Put this environment's ``bin`` (nbgrader, alembic, jupyter) first on PATH."""
    env = os.environ if env is None else env
    bindir = str(Path(sys.executable).parent)
    if env.get("PATH", "").split(os.pathsep)[0] != bindir:
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def nbgrader_api(root: Path, **course_directory):
    """nbgrader's Python API for the course at ``root``, configured by its
    ``nbgrader_config.py`` (overridden by ``course_directory`` settings, e.g.
    ``release_directory=...``).  In-process calls avoid nbgrader's ~3 s start-up per command."""
    _tools_on_path()   # nbgrader runs `alembic` from PATH when it creates a gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    for key, value in course_directory.items():
        setattr(cfg.CourseDirectory, key, value)
    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def nbgrader(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course root with this environment's tools on PATH
    (nbgrader calls ``alembic`` from PATH)."""
    env = _tools_on_path(dict(os.environ))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n"
                          f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc
