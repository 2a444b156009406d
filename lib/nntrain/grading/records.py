"""The records that flow through grading, and the marks the grader puts on notebook cells.

One place for both, so that every stage (:mod:`.submissions` -> :mod:`.assemble` ->
:mod:`.integrity` -> :mod:`.execute` -> :mod:`.score` -> :mod:`.results`, :mod:`.feedback`,
:mod:`.gradebook`) reads the same names.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

#: cell metadata: an unchanged demo cell of the release, not run (set by :mod:`.assemble`)
SKIP = "nntrain_skip"
#: cell metadata: a cell of the grader's own, never the student's (set by :mod:`.integrity`)
INJECTED = "nntrain_injected"
#: cell metadata: the number of an injected integrity check (set by :mod:`.integrity`)
CHECK_INDEX = "nntrain_check"

#: a row's status: ``graded``; ``flagged`` (the code reaches for the checking machinery: a
#: person should look); ``needs_review`` (the kernel died or a time limit cut the run short);
#: ``unreadable`` (no notebook could be read)
STATUSES = ("graded", "flagged", "needs_review", "unreadable")
#: the statuses whose rows a person should look at
REVIEW = ("flagged", "needs_review", "unreadable")


def points(x: float) -> str:
    """Points as the CSVs and pages print them: ``10``, ``2.5``."""
    return f"{x:g}"


@dataclass(frozen=True)
class Submission:
    """One ``<student>/<chapter>/`` folder of the submitted class: its notebook (None when
    there is no usable one, with the ``problem``), a ``note`` on what was odd about it, and
    the hand-in time from nbgrader's ``timestamp.txt`` (None without one)."""
    student: str
    chapter: str
    path: Path | None
    problem: str = ""
    note: str = ""
    timestamp: datetime | None = None

    @property
    def folder(self) -> Path | None:
        """The folder the notebook was handed in with (its data files, timestamp.txt)."""
        return self.path.parent if self.path is not None else None


class TestResult(NamedTuple):
    """One test cell of one submission: its points earned of its points, and why."""
    __test__ = False     # not a pytest test class, whatever its name
    grade_id: str
    score: float
    max_score: float
    result: str          # "passed", "failed", "error", "timeout", "not run", "unchecked", ...
    message: str


@dataclass
class Row:
    """The grade of one submission: one row of ``grades.csv``."""
    student: str
    chapter: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"
    reason: str = ""
    tests: list = field(default_factory=list)   # TestResult of every test cell, in order
    timestamp: datetime | None = None            # when it was handed in (nbgrader's timestamp.txt)
    seconds_late: float = 0.0                    # after the due date (0: on time, or no due date)
    late_penalty: float = 0.0                    # taken off by nbgrader's late-submission plugin
    timings: dict = field(default_factory=dict)  # stage -> seconds of wall time (not in the CSV)
    peak_rss: int = 0                            # bytes: the largest resident size of its kernel


class Stopwatch(dict):
    """Stage -> seconds of wall time, added up: ``with watch("assemble"): ...``."""

    @contextmanager
    def __call__(self, stage: str):
        """Time the block and add it to ``stage``."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self[stage] = self.get(stage, 0.0) + time.perf_counter() - t0
