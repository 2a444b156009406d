"""The student's own implementations, read from their saved chapter notebooks.

The student edition of the library has no reference implementation of a graded function.
Where it needs one (chapter 10 trains with Adam, chapter 09's network uses batch norm), it
calls :func:`solution`, which finds the student's saved notebook of that chapter and runs
its solution cells::

    <course folder>/                 the edition's chapters/, or where nbgrader fetches to
        05_adam/05_adam.ipynb        <- solution("05_adam", "adam_step") reads this file
        10_tuning/10_tuning.ipynb    <- the running chapter (the kernel's current folder)

The notebook is looked for beside the running chapter's folder (the parent of the current
folder), then in the current folder itself, or in the folder named by the environment
variable ``NNTRAIN_COURSE_DIR``.  Only the cells nbgrader marks as solution cells run, after
the import statements of the notebook's locked cells, in a namespace of their own.  The
file is read again whenever it was saved since the last call, so an edited solution is
used at once.  An exercise that still raises ``NotImplementedError()`` raises
:class:`NotSolvedError`, whose message names the function, its chapter and its exercise.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NotSolvedError", "SolutionError", "DelegatedToItselfError", "solution", "call",
           "find_notebook", "friendly_errors"]

ENV = "NNTRAIN_COURSE_DIR"
#: set in the grader's kernels: there IPython's error display stays as it is (the grader
#: restores it before every test and reports any change)
GRADING = "NNTRAIN_GRADING"
_EXERCISE = re.compile(r"^#+\s*Exercise\s+(\d+)\s*:\s*`(\w+)", re.M)


class NotSolvedError(NotImplementedError):
    """A graded function the library needs has not been solved yet."""


class DelegatedToItselfError(RecursionError):
    """A student's function called the library's function of the same name, which in the
    student edition is that same student's function again."""


class SolutionError(RuntimeError):
    """The student's solution cells of a chapter could not be run (a syntax error, say)."""


@dataclass(frozen=True)
class Chapter:
    """What one saved notebook defines: its path, functions and exercise numbers."""
    path: Path
    functions: dict
    exercises: dict


#: (chapter, start folder, $NNTRAIN_COURSE_DIR) -> the notebook found there last time: the
#: library asks on every call of a graded function, thousands of times in a training run
_found: dict = {}


def find_notebook(chapter: str, start: Path | None = None) -> Path | None:
    """The student's saved ``<chapter>/<chapter>.ipynb``, or None if there is none."""
    key = (chapter, str(start or os.getcwd()), os.environ.get(ENV))
    known = _found.get(key)
    if known is not None and known.is_file():
        return known
    _found[key] = path = _search(chapter, start)
    return path


def _search(chapter: str, start: Path | None) -> Path | None:
    """Look for the notebook: in ``$NNTRAIN_COURSE_DIR``, beside the start folder, in it."""
    here = Path(start or os.getcwd()).resolve()
    folders = [Path(os.environ[ENV])] if os.environ.get(ENV) else []
    folders += [here.parent, here]
    for folder in folders:
        path = folder / chapter / f"{chapter}.ipynb"
        if path.is_file():
            return path
    return None


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _imports(cells) -> str:
    """The import statements of the notebook's locked code cells (its set-up)."""
    lines = []
    for cell in cells:
        meta = _nbgrader(cell)
        if cell.get("cell_type") != "code" or not meta.get("locked") or meta.get("grade"):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def _exercise_numbers(cells) -> dict:
    """function name -> the number of the exercise that asks for it ("### Exercise 1: `adam_step`")."""
    return {m.group(2): int(m.group(1)) for c in cells if c.get("cell_type") == "markdown"
            for m in _EXERCISE.finditer(_source(c))}


def _not_solved_guard(fn, name, chapter, number, path):
    """``fn``, with a bare ``NotImplementedError`` turned into a :class:`NotSolvedError`."""

    @functools.wraps(fn)
    def yours(*args, **kwargs):
        """The student's function, saying "not solved yet" where it still raises the stub's error."""
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            if isinstance(exc, NotSolvedError) or str(exc):
                raise
            where = f"exercise {number}" if number else "its exercise"
            raise NotSolvedError(f"{name} (chapter {chapter}) is not solved yet: solve {where} "
                                 f"there ({path})") from None

    return yours


def _run(chapter: str, path: Path) -> Chapter:
    """Run the solution cells of the notebook at ``path``; return what they define."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    exercises = _exercise_numbers(cells)
    space = {"__name__": f"nntrain_student_{chapter}"}
    exec(compile(_imports(cells), f"{path} (imports)", "exec"), space)
    imported = set(space)
    for cell in cells:
        meta = _nbgrader(cell)
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        where = f"{path}, cell {meta.get('grade_id', '?')}"
        try:
            exec(compile(_source(cell), where, "exec"), space)
        except Exception as exc:  # noqa: BLE001 - any error in a student's cell
            raise SolutionError(f"your solution cells of chapter {chapter} could not run ({where}): "
                                f"{type(exc).__name__}: {exc}") from exc
    functions = {name: _not_solved_guard(value, name, chapter, exercises.get(name), path)
                 for name, value in space.items()
                 if name not in imported and callable(value) and not isinstance(value, type)}
    space.update(functions)       # calls between the student's functions get the guard too
    return Chapter(path, functions, exercises)


_cache: dict = {}


def _load(chapter: str, path: Path) -> Chapter:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        for old in [k for k in _cache if k[0] == key[0]]:
            del _cache[old]                       # an earlier save of the same notebook
        _cache[key] = _run(chapter, path)
    return _cache[key]


def solution(chapter: str, name: str):
    """The student's function ``name`` of ``chapter``, from their saved notebook.

    Raises :class:`NotSolvedError` when there is no such notebook or function, and when
    the function is called while it still raises ``NotImplementedError()``.
    """
    path = find_notebook(chapter)
    if path is None:
        raise NotSolvedError(f"{name} (chapter {chapter}) is not solved yet: no notebook "
                             f"{chapter}/{chapter}.ipynb was found beside this chapter's folder "
                             f"({Path.cwd().parent}); set {ENV} to the folder that holds the chapters")
    found = _load(chapter, path)
    if name not in found.functions:
        raise NotSolvedError(f"{name} (chapter {chapter}) is not solved yet: {path} defines no "
                             f"function {name} in its solution cells")
    return found.functions[name]


#: the graded functions the library is running right now on the student's behalf
_running: set = set()


def call(chapter: str, name: str, *args, **kwargs):
    """Call the student's ``name`` of ``chapter`` (see :func:`solution`) with the arguments.

    This is how the student edition's library runs a graded function.  A student's function
    that calls the library's function of the same name would come back here: that is
    reported at once instead of recursing until Python gives up.
    """
    fn = solution(chapter, name)
    if name in _running:
        raise DelegatedToItselfError(
            f"your {name} (chapter {chapter}) calls nntrain's {name}, which in the student edition "
            f"is your own {name}: write it with NumPy instead of calling the library")
    _running.add(name)
    try:
        return fn(*args, **kwargs)
    finally:
        _running.discard(name)


def exercise_number(chapter: str, name: str, start: Path | None = None):
    """The number of the exercise that asks for ``name`` in the saved notebook, or None."""
    path = find_notebook(chapter, start)
    if path is None:
        return None
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    return _exercise_numbers(cells).get(name)


def unsolved_message(exc, tb):
    """The "not solved yet" message for an exception a cell raised, or None if it is not one:
    a :class:`NotSolvedError`, or a bare ``NotImplementedError()`` raised by a function the
    notebook defines (an exercise's stub)."""
    if isinstance(exc, NotSolvedError):
        return str(exc)
    if type(exc) is not NotImplementedError or str(exc):
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if code.co_name.startswith("<") or "site-packages" in code.co_filename or "nntrain" in code.co_filename:
        return None
    chapter = Path.cwd().name
    number = exercise_number(chapter, code.co_name)
    where = f"exercise {number}" if number else "its exercise"
    return (f"{code.co_name} (chapter {chapter}) is not solved yet: solve {where} of this notebook, "
            f"run its cell, then run this cell again")


#: errors a cell may raise because an earlier cell stopped at an unsolved exercise
_KNOCK_ON = (NameError, KeyError, IndexError, AttributeError, TypeError, ValueError, UnboundLocalError)


def friendly_errors():
    """In a Jupyter notebook: a cell that needs an exercise not solved yet shows one line that
    says so (which function, which chapter, which exercise) instead of a traceback, and a
    later cell that fails for want of what that cell would have defined (a NameError, say)
    says so too.  The cells still fail, as they should.  Outside IPython, and in the
    grader's kernels, this does nothing."""
    if os.environ.get(GRADING):
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    stopped = []          # the "not solved yet" messages of this kernel's cells so far

    def handler(shell, etype, value, tb, tb_offset=None):
        """IPython's custom exception handler: the lines to show for this error."""
        message = unsolved_message(value, tb)
        if message is not None:
            stopped.append(message)
            return [f"\x1b[0;31m{type(value).__name__}\x1b[0m: {message}"]
        full = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        if not stopped or not isinstance(value, _KNOCK_ON):
            return full
        first = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}",
                 f"  an earlier cell stopped because {stopped[-1]}, so what it would have made is missing "
                 f"here. Solve that exercise, save the notebook and run it again from the top."]
        return first if isinstance(value, NameError) else first + full

    shell.set_custom_exc((NotImplementedError, NotSolvedError) + _KNOCK_ON, handler)
