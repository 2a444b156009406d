"""The class's grades as CSV: ``grades.csv`` (a row per submission) and ``grades_tests.csv``
(a row per test cell).

``grades.csv``: ``student,chapter,score,max_score,status,reason,tests,submitted_at,
seconds_late,late_penalty``.  ``score`` is the sum of the test cells' points (the raw score,
nbgrader's ``raw_score``); ``late_penalty`` is what nbgrader's late-submission plugin takes
off it (``nbgrader export`` reports ``score - late_penalty`` as its ``score``).

A run that graded only some students or chapters (``--student``, ``--chapter``) updates its
rows in the existing CSVs and keeps every other row as it was; a run of the whole class
replaces them.  Every file is replaced in one step, so a reader never sees a mix of two runs.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from ..course.files import atomic_write
from .records import Row, TestResult, points

FIELDS = ["student", "chapter", "score", "max_score", "status", "reason", "tests",
          "submitted_at", "seconds_late", "late_penalty"]
TEST_FIELDS = ["student", "chapter", "test", "score", "max_score", "result", "message"]


def per_test_csv_path(out: Path) -> Path:
    """Where the per-test CSV of the grades CSV ``out`` goes: ``<stem>_tests.csv`` beside it."""
    return Path(out).with_name(Path(out).stem + "_tests.csv")


def row_fields(row: Row) -> dict:
    """``row`` as a line of ``grades.csv``."""
    return {"student": row.student, "chapter": row.chapter, "score": points(row.score),
            "max_score": points(row.max_score), "status": row.status, "reason": row.reason,
            "tests": " ".join(f"{t.grade_id}={points(t.score)}/{points(t.max_score)}" for t in row.tests),
            "submitted_at": row.timestamp.isoformat() if row.timestamp else "",
            "seconds_late": points(round(row.seconds_late)) if row.seconds_late > 0 else "",
            "late_penalty": points(row.late_penalty) if row.late_penalty else ""}


def test_fields(row: Row) -> list:
    """``row``'s lines of the per-test CSV."""
    return [{"student": row.student, "chapter": row.chapter, "test": t.grade_id, "score": points(t.score),
             "max_score": points(t.max_score), "result": t.result, "message": t.message[:500]}
            for t in row.tests]


def write(out: Path, rows, partial: bool = False):
    """Both CSVs of a batch.  ``partial``: keep the rows of the existing files whose
    (student, chapter) this batch did not grade, in their order, and put this batch's rows
    in their places (new ones at the end)."""
    write_lines(out, [row_fields(r) for r in rows], [line for r in rows for line in test_fields(r)], partial)


def write_lines(out: Path, lines: list, test_lines: list, partial: bool = False):
    """:func:`write`, from the CSVs' lines (dicts) rather than rows."""
    if partial:
        graded = {(line["student"], line["chapter"]) for line in lines}
        lines = _merged(read_lines(out), lines, graded)
        test_lines = _merged(read_lines(per_test_csv_path(out)), test_lines, graded)
    _write(out, FIELDS, lines)
    _write(per_test_csv_path(out), TEST_FIELDS, test_lines)


def rows_from(lines: list, test_lines: list) -> list:
    """The rows of a grades CSV's ``lines`` with their tests from the per-test CSV's, as the
    run that wrote them had them (for the gradebook, which a merge of shards fills)."""
    tests = {}
    for t in test_lines:
        tests.setdefault((t["student"], t["chapter"]), []).append(
            TestResult(t["test"], float(t["score"]), float(t["max_score"]), t["result"], t["message"]))
    return [Row(line["student"], line["chapter"], float(line["score"]), float(line["max_score"]),
                line["status"], line["reason"], tests.get((line["student"], line["chapter"]), []),
                datetime.fromisoformat(line["submitted_at"]) if line.get("submitted_at") else None,
                float(line.get("seconds_late") or 0), float(line.get("late_penalty") or 0))
            for line in lines]


def _merged(old: list, new: list, graded: set) -> list:
    """``old`` lines with those of the ``graded`` (student, chapter) pairs replaced by ``new``."""
    fresh = {}
    for line in new:
        fresh.setdefault((line["student"], line["chapter"]), []).append(line)
    merged, placed = [], set()
    for line in old:
        key = (line.get("student"), line.get("chapter"))
        if key not in graded:
            merged.append(line)
        elif key not in placed:
            merged += fresh.get(key, [])
            placed.add(key)
    return merged + [line for key, group in fresh.items() if key not in placed for line in group]


def read_lines(path: Path) -> list:
    """The lines of an existing CSV, as dicts by column ([] when there is none)."""
    if not Path(path).is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, fields, lines):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(lines)
    atomic_write(path, buffer.getvalue())
