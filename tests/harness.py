"""Run a chapter's graded test cells in-process against any implementation of its exercises.

This is how the test suite checks the tests themselves: for each chapter,
``tests/mutants/test_<chapter>.py`` lists realistic WRONG implementations and differently
written RIGHT ones, and the grading rules of the course are asserted on every one:

- a wrong implementation loses points: it fails at least one test cell of its function,
  hidden tests included;
- no silent loss: it also fails a VISIBLE test of its function (the part before
  ``### BEGIN HIDDEN TESTS``, all a student can run), so a notebook that passes every
  visible test gets full marks.  Only implementations that hard-code the visible examples
  may be caught by hidden tests alone, and a mutant file must list each with its reason;
- no spill: the mistake fails only test cells of its own function (every test cell of the
  chapter runs), so the chapter scores above 0 and below full.  A mutant file may allow a
  named cell of another function with a reason (a backward pass judged on a wrong forward);
- a right implementation passes every test cell of the chapter.

The notebook's cells run in a fresh namespace: the locked code cells (set-up), the
solution cells, then the given implementations replace the solutions, then the test cells
run in order.  Test cells may therefore depend only on locked cells and on the exercise
functions, as the chapter template requires.
"""
from __future__ import annotations

import ast
import contextlib
import os
import re
import types
import warnings
from functools import lru_cache

import nbformat

import nntrain

from nntrain.course.notebook import nbgrader_meta as _meta
from tests.course import ROOT

os.environ.setdefault("MPLBACKEND", "Agg")


@lru_cache(maxsize=None)
def load(chapter: str):
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def test_cells(chapter: str, function: str | None = None) -> dict:
    """grade_id -> source of the chapter's test cells (those of ``function`` only if given:
    their grade_id is ``test_<function>`` or starts with ``test_<function>__``)."""
    cells = {}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if meta.get("grade") and cell.cell_type == "code":
            gid = meta["grade_id"]
            if function is None or gid == f"test_{function}" or gid.startswith(f"test_{function}__"):
                cells[gid] = cell.source
    return cells


def points(chapter: str) -> dict:
    """grade_id -> points of every test cell of the chapter."""
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in load(chapter).cells
            if _meta(c).get("grade") and c.cell_type == "code"}


HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)


def visible_part(source: str) -> str:
    """A test cell as the student sees it: the hidden block removed, as nbgrader does."""
    return HIDDEN.sub("", source)


def _names(source: str) -> tuple[set, set]:
    """(names a piece of code reads, names it binds), found statically."""
    read, bound = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read, bound


def _solution_reads(chapter: str) -> dict:
    """name -> the names read by the top-level definition of ``name`` in the cells that run
    before the tests (solution cells and locked set-up cells, see :func:`run_tests`)."""
    reads = {}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or (meta.get("locked") and not meta.get("grade"))):
            for node in ast.parse(cell.source).body:
                read, bound = _names(ast.unparse(node))
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    bound = {node.name}              # not its arguments and local names
                reads.update({name: read for name in bound})
    return reads


def _shared(chapter: str, gid: str) -> set:
    """Names a test cell reads but binds only in ANOTHER test cell (a helper shared between
    cells; the template forbids it, so this is a safety net)."""
    sources = test_cells(chapter)
    read, own = _names(sources[gid])
    others = set().union(*(_names(src)[1] for g, src in sources.items() if g != gid))
    return (read - own) & others


@lru_cache(maxsize=None)
def _reads(chapter: str) -> dict:
    """grade_id -> every name a test cell can reach: what it reads, and what the solution
    functions it reads read in turn; ``None`` (everything) for a cell that reads a helper of
    another test cell."""
    solutions, reach = _solution_reads(chapter), {}
    for gid, source in test_cells(chapter).items():
        if _shared(chapter, gid):
            reach[gid] = None
            continue
        todo, seen = list(_names(source)[0]), set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(solutions.get(name, ()))
        reach[gid] = frozenset(seen)
    return reach


def reached_by(chapter: str, names) -> set:
    """The test cells whose outcome can change when ``names`` are replaced.  The others run
    exactly as with the solutions, which pass them (``test_solution_passes_every_test``), so
    the spill and full-points checks need not run them again for every implementation."""
    return {gid for gid, reach in _reads(chapter).items() if reach is None or reach & set(names)}


@lru_cache(maxsize=None)
def _compiled(source: str, name: str):
    """``source`` compiled once: every mutant runs the same cells again."""
    return compile(source, name, "exec")


def run_tests(chapter: str, overrides: dict, function: str | None = None,
              visible_only: bool = False, only: set | None = None) -> dict:
    """Run the test cells (of ``function``; of those in ``only``) with ``overrides`` (name ->
    implementation) in place of the solutions; with ``visible_only`` only the part a
    student can run.  Returns grade_id -> None (passed) or the exception raised."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = {"__name__": "__main__"}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or (meta.get("locked") and not meta.get("grade"))):
            exec(_compiled(cell.source, f"<{chapter}:{meta.get('grade_id')}>"), ns)
    ns.update({name: _in_notebook(impl, ns) for name, impl in overrides.items()})
    results = {}
    for gid, source in test_cells(chapter, function).items():
        if only is not None and gid not in only:
            continue
        if visible_only:
            source = visible_part(source)
        try:
            with warnings.catch_warnings(), _edition("student" if visible_only else "instructor"):
                warnings.simplefilter("ignore")
                exec(_compiled(source, f"<{chapter}:{gid}>"), ns)
            results[gid] = None
        except Exception as exc:  # noqa: BLE001 - any failure of a test cell counts
            results[gid] = exc
    plt.close("all")
    if not results:
        raise LookupError(f"{chapter} has no test cells for {function!r}")
    return results


def _own_versions(source: str) -> set:
    """The exercises a visible part asks correct versions of (``correct_version("x", ...)``,
    ``correct_versions("x", "y")``): in the student edition it runs on the student's own, so
    only an implementation of one of those can behave differently there."""
    names = set()
    for call in re.finditer(r"correct_versions?\(([^)]*)\)", source):
        names.update(re.findall(r"[\"'](\w+)[\"']", call.group(1)))
    return names


def _in_notebook(fn, ns):
    """``fn`` (an implementation written in a test module) looking up the names its module
    does not define in the notebook's namespace ``ns``, as a student's function would find
    the notebook's other functions (the student edition gives no correct versions)."""
    if not isinstance(fn, types.FunctionType) or fn.__globals__ is ns:
        return fn
    missing = {k: v for k, v in ns.items() if not k.startswith("__") and k not in fn.__globals__}
    return rebound(fn, **missing) if missing else fn


@contextlib.contextmanager
def _edition(name):
    """Run as the ``name`` edition's library would: the visible parts run as in the student
    edition, where ``testing.correct_versions`` has no correct version to give."""
    saved, nntrain.EDITION = nntrain.EDITION, name
    try:
        yield
    finally:
        nntrain.EDITION = saved


def rebound(fn, **names):
    """``fn`` with its global names looked up in a namespace of its own that holds ``names``,
    the way a function defined in a student's notebook looks up the notebook's other
    functions (which a test cell's ``builds_on`` replaces there while the call runs)."""
    space = dict(fn.__globals__)
    space.update(names)
    new = types.FunctionType(fn.__code__, space, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


def _failed_before_hidden(chapter: str, gid: str, exc) -> bool:
    """Did the test cell ``gid`` fail in its visible part (before its hidden tests begin)?
    Then it fails the same way when run visible alone, and that run can be skipped."""
    lines = test_cells(chapter)[gid].splitlines()
    begin = next((i + 1 for i, line in enumerate(lines) if "### BEGIN HIDDEN TESTS" in line), None)
    cell = f"<{chapter}:{gid}>"
    lineno = next((tb.tb_lineno for tb in _frames(exc.__traceback__) if tb.tb_frame.f_code.co_filename == cell),
                  None)          # the cell's own top-level statement that raised
    return begin is not None and lineno is not None and lineno < begin


def _frames(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _first_line(exc) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def assert_loses_points(chapter: str, function: str, overrides: dict, label: str,
                        spill: dict | None = None, hidden_only: str | None = None):
    """A wrong implementation of ``function`` loses points, visibly, and only its own.

    ``spill``: grade_id -> reason, cells of other functions this mistake may fail too.
    ``hidden_only``: the reason this implementation may pass every visible test (it
    hard-codes the visible examples); ``None`` means a visible test must catch it.
    """
    own = set(test_cells(chapter, function))
    results = run_tests(chapter, overrides, only=own | reached_by(chapter, overrides))
    failed = {g for g, e in results.items() if e is not None}
    assert failed & own, f"{label} passed every test of {function}"
    spilled = failed - own - set(spill or {})
    assert not spilled, (f"{label} (a mistake in {function}) also fails the tests of other functions: "
                         + "; ".join(f"{g}: {_first_line(results[g])}" for g in sorted(spilled)))
    cell_points = points(chapter)
    score = sum(p for g, p in cell_points.items() if g not in failed)
    assert 0 < score < sum(cell_points.values()), f"{label}: the chapter scores {score}"
    if hidden_only is None and not any(_failed_before_hidden(chapter, g, results[g]) for g in failed & own):
        visible = run_tests(chapter, overrides, function, visible_only=True)
        assert any(e is not None for e in visible.values()), (
            f"{label} passes every visible test of {function} but grading takes points "
            f"(it fails {sorted(failed & own)}): a silent loss")


def assert_full_points(chapter: str, function: str, overrides: dict, label: str):
    """A correct implementation of ``function`` passes every test cell of the chapter."""
    reached = set(test_cells(chapter, function)) | reached_by(chapter, overrides)
    results = run_tests(chapter, overrides, only=reached)
    failed = {g: _first_line(e) for g, e in results.items() if e is not None}
    assert not failed, f"{label} failed {failed}"
    # In the student edition, cells that ask correct versions of this implementation's
    # function run on the implementation itself: their visible parts must pass there too.
    differs = {g for g in reached if set(overrides) & _own_versions(visible_part(test_cells(chapter)[g]))}
    if differs:
        results = run_tests(chapter, overrides, visible_only=True, only=differs)
        failed = {g: _first_line(e) for g, e in results.items() if e is not None}
        assert not failed, f"{label} failed the visible tests {failed} in the student edition"


def assert_solution_passes(chapter: str):
    """The solution passes every test cell, and the visible parts alone as well."""
    for visible_only in (False, True):
        results = run_tests(chapter, {}, visible_only=visible_only)
        assert all(e is None for e in results.values()), results


def visible_tests(chapter: str) -> dict:
    """function -> the visible parts (before the hidden tests) of its test cells."""
    visible = {}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if meta.get("grade"):
            function = meta["grade_id"][len("test_"):].split("__")[0]
            visible.setdefault(function, []).append(visible_part(cell.source))
    return visible


def mutant_tests(chapter: str, wrong: list, right: list, overrides=None, label=None,
                 spill=None, hidden_only=None):
    """The three standard tests of a mutant file, parametrized over its WRONG and RIGHT
    lists of ``(function name, implementation)``::

        test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points, \\
            test_solution_passes_every_test = mutant_tests(CHAPTER, WRONG, RIGHT)

    ``overrides(name, impl)`` maps an entry to the names it replaces (default
    ``{name: impl}``); ``label(impl)`` names it in ids and messages (default ``__name__``).
    ``spill``: label -> {grade_id: reason} of other functions' cells that mistake may fail;
    ``hidden_only``: label -> reason it may pass the visible tests (see
    :func:`assert_loses_points`).
    """
    import pytest

    overrides = overrides or (lambda name, impl: {name: impl})
    label = label or (lambda impl: impl.__name__)
    spill, hidden_only = spill or {}, hidden_only or {}
    unknown = (set(spill) | set(hidden_only)) - {label(i) for _, i in wrong}
    assert not unknown, f"spill/hidden_only name no WRONG entry: {sorted(unknown)}"

    @pytest.mark.parametrize("name,impl", wrong, ids=[label(i) for _, i in wrong])
    def test_wrong_implementation_loses_points(name, impl):
        assert_loses_points(chapter, name, overrides(name, impl), label(impl),
                            spill=spill.get(label(impl)), hidden_only=hidden_only.get(label(impl)))

    @pytest.mark.parametrize("name,impl", right, ids=[label(i) for _, i in right])
    def test_correct_implementation_earns_full_points(name, impl):
        assert_full_points(chapter, name, overrides(name, impl), label(impl))

    def test_solution_passes_every_test():
        assert_solution_passes(chapter)

    return (test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
            test_solution_passes_every_test)
