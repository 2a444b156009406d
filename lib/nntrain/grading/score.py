"""From a notebook's run to its grade: every test cell's points, the status and the reason.

A test cell earns its points when it ran without an error *and* the grader's integrity check
right before it ran to its end (:mod:`.integrity`); otherwise 0.  The status is

- ``needs_review`` when the run was cut short (the kernel died, a time limit was hit): a
  person should look, the tests that did not run score 0;
- else ``flagged`` when the code reaches for the checking machinery (the static scan of
  :mod:`.scan`), changed what the tests rely on (put back before each test) or stopped an
  integrity check;
- else ``graded``.
"""
from __future__ import annotations

from ..course.notebook import nbgrader_meta
from . import integrity
from .assemble import Master
from .execute import Limits, RunResult
from .records import CHECK_INDEX, INJECTED, Row, Submission, TestResult
from .scan import scan


def score(nb, run: RunResult, master: Master, guard: integrity.Run, sub: Submission,
          notes: list, limits: Limits) -> Row:
    """The row of the executed ``nb`` (``notes``: what :func:`.assemble.assemble` repaired)."""
    tests, unguarded = _tests(nb, run, master, guard)
    row = Row(sub.student, sub.chapter, max_score=master.max_score, tests=tests,
              score=sum(t.score for t in tests), timestamp=sub.timestamp)
    suspicious = _suspicious(nb, master, unguarded)
    cut_short = run.events + _timeouts(run, limits)
    reasons = ([sub.note] if sub.note else []) + notes
    if suspicious:
        row.status, reasons = "flagged", suspicious + reasons
    if cut_short:
        row.status, reasons = "needs_review", cut_short + reasons
    row.reason = "; ".join(reasons)[:1000]
    return row


def _tests(nb, run: RunResult, master: Master, guard: integrity.Run):
    """Every test cell's result, and the tests whose integrity check did not run to its end."""
    tests, unguarded, guarded = [], [], False
    for cell, cell_run in zip(nb.cells, run.cells):
        if CHECK_INDEX in cell.metadata:
            guarded = (cell_run.status == "ok"
                       and guard.acknowledged(cell.metadata[CHECK_INDEX], integrity.printed(cell)))
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        if gid not in master.points:
            continue
        ok = cell_run.status == "ok"
        result, message = ("passed" if ok else cell_run.status), cell_run.error
        if ok and not guarded:
            # the grader's check before this test did not run to its end: something in the
            # notebook stopped it, so the test's verdict cannot be trusted
            ok, result = False, "unchecked"
            message = "the grader's integrity check before this test was prevented from running"
            unguarded.append(gid)
        tests.append(TestResult(gid, master.points[gid] if ok else 0.0, master.points[gid], result, message))
        guarded = False
    return tests, unguarded


def _timeouts(run: RunResult, limits: Limits) -> list:
    """The cell time limits hit, in words (the notebook's own limit is one of ``run.events``)."""
    cells = [str(c.index) for c in run.cells if c.status == "timeout"]
    return [f"cell time limit ({limits.cell_timeout:g} s) hit in cell(s) {', '.join(cells)}"] if cells else []


def _suspicious(nb, master: Master, unguarded: list) -> list:
    """Why a person should look at the code, in words ([] when nothing is suspicious)."""
    found = scan((nbgrader_meta(c).get("grade_id") or f"cell {i}", c.source)
                 for i, c in enumerate(nb.cells) if c.cell_type == "code" and not _instructor_cell(c, master))
    restored = sorted({name for cell in nb.cells if cell.metadata.get(INJECTED)
                       for name in integrity.restored_names(integrity.printed(cell))})
    if restored:
        found.insert(0, "changed what the tests rely on (put back before each test): " + ", ".join(restored)[:300])
    if unguarded:
        found.insert(0, "stopped the grader's integrity check (those tests score 0): " + ", ".join(unguarded)[:300])
    return found


def _instructor_cell(cell, master: Master) -> bool:
    """A cell whose source is the instructor's: a locked or test cell, or an unchanged demo."""
    meta = nbgrader_meta(cell)
    return (bool(meta.get("grade_id") and not meta.get("solution")) or cell.source in master.demo_sources
            or bool(cell.metadata.get(INJECTED)))
