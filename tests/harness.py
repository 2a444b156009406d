"""Run a chapter's graded test cells in-process against any implementation of its exercises.

This is how the test suite checks the tests themselves: for each chapter,
``tests/mutants/test_<chapter>.py`` lists realistic WRONG implementations (each must fail
at least one test cell of its function) and differently written RIGHT ones (each must
pass every test cell of its function).  The notebook's cells run in a fresh namespace:
the locked code cells (set-up), the solution cells, then the given implementations replace
the solutions, then the test cells run, hidden tests included.  Test cells may therefore
depend only on locked cells and on the exercise functions, as the chapter template requires.
"""
from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path

import nbformat

from nntrain.grading.notebook import nbgrader_meta as _meta

ROOT = Path(__file__).resolve().parents[1]
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


def run_tests(chapter: str, overrides: dict, function: str | None = None) -> dict:
    """Run the test cells (of ``function``) with ``overrides`` (name -> implementation) in
    place of the solutions.  Returns grade_id -> None (passed) or the exception raised."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = {"__name__": "__main__"}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or (meta.get("locked") and not meta.get("grade"))):
            exec(compile(cell.source, f"<{chapter}:{meta.get('grade_id')}>", "exec"), ns)
    ns.update(overrides)
    results = {}
    for gid, source in test_cells(chapter, function).items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(source, f"<{chapter}:{gid}>", "exec"), ns)
            results[gid] = None
        except Exception as exc:  # noqa: BLE001 - any failure of a test cell counts
            results[gid] = exc
    plt.close("all")
    if not results:
        raise LookupError(f"{chapter} has no test cells for {function!r}")
    return results


def assert_loses_points(chapter: str, function: str, overrides: dict, label: str):
    """A wrong implementation must fail at least one test cell of its function."""
    results = run_tests(chapter, overrides, function)
    assert any(err is not None for err in results.values()), f"{label} passed every test of {function}"


def assert_full_points(chapter: str, function: str, overrides: dict, label: str):
    """A correct implementation must pass every test cell of its function."""
    results = run_tests(chapter, overrides, function)
    failed = {g: e for g, e in results.items() if e is not None}
    assert not failed, f"{label} failed {failed}"


def assert_solution_passes(chapter: str):
    results = run_tests(chapter, {})
    assert all(e is None for e in results.values()), results


def visible_tests(chapter: str) -> dict:
    """function -> the visible parts (before the hidden tests) of its test cells."""
    visible = {}
    for cell in load(chapter).cells:
        meta = _meta(cell)
        if meta.get("grade"):
            function = meta["grade_id"][len("test_"):].split("__")[0]
            visible.setdefault(function, []).append(cell.source.split("### BEGIN HIDDEN TESTS")[0])
    return visible


def mutant_tests(chapter: str, wrong: list, right: list, overrides=None, label=None):
    """The three standard tests of a mutant file, parametrized over its WRONG and RIGHT
    lists of ``(function name, implementation)``::

        test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points, \\
            test_solution_passes_every_test = mutant_tests(CHAPTER, WRONG, RIGHT)

    ``overrides(name, impl)`` maps an entry to the names it replaces (default
    ``{name: impl}``); ``label(impl)`` names it in ids and messages (default ``__name__``).
    """
    import pytest

    overrides = overrides or (lambda name, impl: {name: impl})
    label = label or (lambda impl: impl.__name__)

    @pytest.mark.parametrize("name,impl", wrong, ids=[label(i) for _, i in wrong])
    def test_wrong_implementation_loses_points(name, impl):
        assert_loses_points(chapter, name, overrides(name, impl), label(impl))

    @pytest.mark.parametrize("name,impl", right, ids=[label(i) for _, i in right])
    def test_correct_implementation_earns_full_points(name, impl):
        assert_full_points(chapter, name, overrides(name, impl), label(impl))

    def test_solution_passes_every_test():
        assert_solution_passes(chapter)

    return (test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
            test_solution_passes_every_test)
