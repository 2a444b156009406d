"""The class at a glance: four files written beside the CSVs of a grading run.

:func:`write_report` reads ``grades.csv`` (one row per student and chapter) and
``grades_tests.csv`` (one row per test cell), as ``nntrain grade`` writes them, and writes:

- ``grades_students.csv``: one row per student, ``student,score,max_score,percent,handed_in,
  flagged,needs_review,unreadable``.  ``max_score`` is the sum of the maxima of every chapter
  the class has, so a chapter a student did not hand in counts 0 of its maximum; the three
  counts say whose submissions a person should look at.
- ``grades_lms.csv``: ``student,<chapter ids...>,total``, one row per student and one column
  per chapter (in chapter-id order): the score, empty when not handed in.  A gradebook
  importer (Canvas, Moodle) takes it with a column mapping.  ``nbgrader export`` writes one row
  per student *and assignment* (long format, with timestamps and maxima), which an LMS has to
  pivot first; this file is already the wide table an LMS gradebook holds, and it is made from
  the grader's own CSV, so it needs no gradebook database.  Scores of ``flagged`` and
  ``needs_review`` submissions are exported as graded: look at them before publishing.
- ``grades_tests_failed.csv``: one row per chapter and test, ``chapter,test,submissions,
  failed,share_failed,mean_score,max_score,message``, the tests the class fails most first
  (by share failed, then chapter and test).  A test fails when it scores less than its
  points; ``message`` is its most common failure message, shortened.  Tests of ``unreadable``
  submissions never ran and are left out.
- ``grades_summary.html``: one self-contained page (inline CSS and SVG, no script): the
  counts per status, a histogram of the scores of each chapter with mean and median, the
  per-student table and the ten most failed tests.  Every text from the CSVs is escaped.

Scores are less their late penalty (``late_penalty``, see :mod:`.results`), as
``nbgrader export`` reports them.  Columns are read by name, so other extra columns are
ignored.  Numbers
are written with ``f"{x:g}"`` as ``nntrain grade`` writes them; every file is written to a
temporary file beside it and then renamed over it.  The functions below the file layer work
on rows (lists of dicts, as :class:`csv.DictReader` gives them), so they need no files.
"""
from __future__ import annotations

import csv
import html
import io
import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

from ..course.files import atomic_write
from .records import REVIEW, STATUSES
from .records import points as _num
from .results import per_test_csv_path

LOOK = REVIEW          # the statuses a person should look at
STUDENT_FIELDS = ["student", "score", "max_score", "percent", "handed_in", *LOOK]
FAILED_FIELDS = ["chapter", "test", "submissions", "failed", "share_failed", "mean_score",
                 "max_score", "message"]
MESSAGE_CHARS = 120       # a failure message is cut to this length
TOP_TESTS = 10            # failed tests on the HTML page


class ReportPaths(NamedTuple):
    """The four files of a report."""
    students: Path
    lms: Path
    tests_failed: Path
    summary: Path


class Bin(NamedTuple):
    """One bar of a histogram: scores from ``lo`` up to (not including) ``hi``, or exactly
    ``lo`` when ``label`` is a single number."""
    lo: float
    hi: float
    label: str
    count: int


class ChapterStats(NamedTuple):
    """The scores of one chapter's submissions."""
    chapter: str
    max_score: float
    submissions: int
    mean: float
    median: float
    bins: list


def _float(text) -> float:
    """A number from a CSV cell; 0 for an empty, malformed or non-finite cell."""
    try:
        x = float(text)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def _sibling(grades_csv: Path, suffix: str) -> Path:
    grades_csv = Path(grades_csv)
    return grades_csv.with_name(f"{grades_csv.stem}_{suffix}")


def report_paths(grades_csv: Path) -> ReportPaths:
    """The paths :func:`write_report` writes for ``grades_csv``: ``<stem>_students.csv``,
    ``<stem>_lms.csv``, ``<stem>_tests_failed.csv`` and ``<stem>_summary.html`` beside it."""
    return ReportPaths(_sibling(grades_csv, "students.csv"), _sibling(grades_csv, "lms.csv"),
                       _sibling(grades_csv, "tests_failed.csv"), _sibling(grades_csv, "summary.html"))


# ---------------------------------------------------------------- rows -> rows (pure)

def chapter_maxima(grade_rows) -> dict:
    """``{chapter: max_score}`` of every chapter the class has, in chapter-id order.

    A chapter's maximum is the largest ``max_score`` of its rows (an unreadable row may carry
    0).  Rows whose chapter has no positive maximum anywhere (a wrong layout ``?``, an unknown
    chapter folder) are not a chapter of the class: they count only in the status counts."""
    maxima = defaultdict(float)
    for row in grade_rows:
        chapter = row.get("chapter", "")
        maxima[chapter] = max(maxima[chapter], _float(row.get("max_score")))
    return {c: m for c, m in sorted(maxima.items()) if m > 0}


def submissions(grade_rows) -> dict:
    """``{(student, chapter): score}`` of every submission to a chapter of the class: its
    score less its late penalty (what ``nbgrader export`` calls the score); of two rows of one
    student and chapter, the higher score counts."""
    maxima = chapter_maxima(grade_rows)
    scores = {}
    for row in grade_rows:
        key = (row.get("student", ""), row.get("chapter", ""))
        if key[1] in maxima:
            earned = _float(row.get("score")) - _float(row.get("late_penalty"))
            scores[key] = max(scores.get(key, 0.0), earned)
    return scores


def students(grade_rows) -> list:
    """Every student id of the rows, sorted."""
    return sorted({row.get("student", "") for row in grade_rows})


def student_totals(grade_rows) -> list:
    """The rows of ``<stem>_students.csv`` (dicts of strings with :data:`STUDENT_FIELDS`), one
    per student in id order: total score and total maximum over every chapter of the class,
    percent (one decimal), chapters handed in, and how many of the student's rows are
    flagged, needs_review or unreadable."""
    maxima, scores = chapter_maxima(grade_rows), submissions(grade_rows)
    total_max = sum(maxima.values())
    looks = Counter((row.get("student", ""), row.get("status", "")) for row in grade_rows)
    out = []
    for student in students(grade_rows):
        mine = [s for (who, _), s in scores.items() if who == student]
        total = sum(mine)
        out.append({"student": student, "score": _num(total), "max_score": _num(total_max),
                    "percent": _num(round(100 * total / total_max, 1)) if total_max else "",
                    "handed_in": str(len(mine)),
                    **{status: str(looks[(student, status)]) for status in LOOK}})
    return out


def lms_fields(grade_rows) -> list:
    """The header of ``<stem>_lms.csv``: ``student``, the chapter ids in order, ``total``."""
    return ["student", *chapter_maxima(grade_rows), "total"]


def lms_rows(grade_rows) -> list:
    """The rows of ``<stem>_lms.csv`` (dicts of strings keyed by :func:`lms_fields`), one per
    student in id order: each chapter's score, empty when not handed in, and the total."""
    chapters, scores = chapter_maxima(grade_rows), submissions(grade_rows)
    out = []
    for student in students(grade_rows):
        row = {"student": student}
        for chapter in chapters:
            score = scores.get((student, chapter))
            row[chapter] = "" if score is None else _num(score)
        row["total"] = _num(sum(s for (who, _), s in scores.items() if who == student))
        out.append(row)
    return out


def shorten(message: str, limit: int = MESSAGE_CHARS) -> str:
    """``message`` on one line (whitespace collapsed), cut to ``limit`` characters with ``...``."""
    line = " ".join(str(message).split())
    return line if len(line) <= limit else line[:limit - 3].rstrip() + "..."


def _common_message(failures) -> str:
    """The most common of the failure messages (a test row's result when it has none); of
    equally common ones the alphabetically first, so the choice never depends on row order."""
    counts = Counter(shorten(r.get("message") or r.get("result") or "") for r in failures)
    counts.pop("", None)
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else ""


def failed_tests(grade_rows, test_rows) -> list:
    """The rows of ``<stem>_tests_failed.csv`` (dicts of strings with :data:`FAILED_FIELDS`),
    one per chapter and test, sorted by share failed (descending), then chapter, then test.
    Test rows of ``unreadable`` submissions (never run) are left out."""
    unreadable = {(r.get("student", ""), r.get("chapter", "")) for r in grade_rows
                  if r.get("status") == "unreadable"}
    groups = defaultdict(list)
    for r in test_rows:
        if (r.get("student", ""), r.get("chapter", "")) not in unreadable:
            groups[(r.get("chapter", ""), r.get("test", ""))].append(r)
    ranked = []
    for (chapter, test), rows in groups.items():
        failures = [r for r in rows if _float(r.get("score")) < _float(r.get("max_score"))]
        share = len(failures) / len(rows)
        ranked.append((-share, chapter, test, {
            "chapter": chapter, "test": test, "submissions": str(len(rows)),
            "failed": str(len(failures)), "share_failed": _num(round(share, 3)),
            "mean_score": _num(round(statistics.fmean(_float(r.get("score")) for r in rows), 3)),
            "max_score": _num(max(_float(r.get("max_score")) for r in rows)),
            "message": _common_message(failures)}))
    return [row for *_, row in sorted(ranked, key=lambda t: t[:3])]


def status_counts(grade_rows) -> dict:
    """``{status: number of rows}``: the four statuses of ``nntrain grade`` always, in their
    order (0 when absent), then any other status found, sorted."""
    counts = Counter(row.get("status", "") for row in grade_rows)
    return {**{s: counts.get(s, 0) for s in STATUSES},
            **{s: n for s, n in sorted(counts.items()) if s not in STATUSES}}


def histogram(scores, max_score: float) -> list:
    """The bins (:class:`Bin`) of a histogram of ``scores`` from 0 to ``max_score``; their
    counts add up to ``len(scores)``.

    A whole-number maximum up to 20 gets one bar per point value 0, 1, ..., max (a score
    between two whole numbers falls into the lower one); any other maximum gets 10 bars of
    equal width, the last one including ``max_score``.  Scores outside [0, max] go to the
    first or last bar."""
    if 0 < max_score <= 20 and max_score == int(max_score):
        n, width = int(max_score) + 1, 1.0
    else:
        n, width = (10, max_score / 10) if max_score > 0 else (1, 1.0)
    counts = [0] * n
    for s in scores:
        counts[min(n - 1, max(0, int(s // width)))] += 1
    whole = width == 1.0
    return [Bin(i * width, (i + 1) * width, _num(i) if whole else f"{i * width:.3g}-{(i + 1) * width:.3g}", c)
            for i, c in enumerate(counts)]


def chapter_stats(grade_rows) -> list:
    """A :class:`ChapterStats` per chapter of the class, in chapter-id order: the number of
    submissions, their mean and median score and the histogram of their scores."""
    maxima, scores = chapter_maxima(grade_rows), submissions(grade_rows)
    out = []
    for chapter, max_score in maxima.items():
        mine = [s for (_, c), s in scores.items() if c == chapter]
        out.append(ChapterStats(chapter, max_score, len(mine), statistics.fmean(mine) if mine else 0.0,
                                statistics.median(mine) if mine else 0.0, histogram(mine, max_score)))
    return out


# ---------------------------------------------------------------- the HTML page (pure)

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: .8rem 0; } td, th { border: 1px solid #ccc; padding: .2rem .55rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.msg { overflow-wrap: anywhere; min-width: 16rem; }
tr.look td { background: #fff4e0; } .chapters { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.chapter { break-inside: avoid; page-break-inside: avoid; } .chapter h3 { margin: .2rem 0; font-size: 1rem; }
svg .bar { fill: #4a78b0; } svg text { font: 10px system-ui, sans-serif; fill: #333; } svg .axis { stroke: #777; }
@media print { body { margin: 0; max-width: none; } tr.look td { background: none; font-weight: bold; } svg .bar { fill: #555; } }
"""

_W, _H, _LEFT, _BOTTOM, _TOP = 340, 150, 8, 18, 14     # the SVG's size and margins, px


def svg_histogram(bins, title: str) -> str:
    """An inline ``<svg>`` of the histogram ``bins``: one ``<rect class="bar"
    data-count="n">`` per bin, its count above it and its label below; text escaped."""
    e = html.escape
    plot_w, plot_h = _W - 2 * _LEFT, _H - _BOTTOM - _TOP
    width, top = plot_w / max(1, len(bins)), max([b.count for b in bins] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="hist" width="{_W}" height="{_H}" '
             f'viewBox="0 0 {_W} {_H}" role="img" aria-label="{e(title)}"><title>{e(title)}</title>']
    for i, b in enumerate(bins):
        x, h = _LEFT + i * width, plot_h * b.count / top
        y, mid = _TOP + plot_h - h, _LEFT + (i + 0.5) * width
        parts.append(f'<rect class="bar" data-count="{b.count}" x="{x + 1:.1f}" y="{y:.1f}" '
                     f'width="{max(1.0, width - 2):.1f}" height="{h:.1f}"><title>{e(b.label)}: '
                     f'{b.count}</title></rect>')
        if b.count:
            parts.append(f'<text x="{mid:.1f}" y="{y - 3:.1f}" text-anchor="middle">{b.count}</text>')
    for x, anchor, text in _axis_labels(bins, width):
        parts.append(f'<text x="{x:.1f}" y="{_H - 5}" text-anchor="{anchor}">{e(text)}</text>')
    base = _TOP + plot_h
    parts.append(f'<line class="axis" x1="{_LEFT}" y1="{base}" x2="{_W - _LEFT}" y2="{base}"/></svg>')
    return "".join(parts)


def _axis_labels(bins, width: float) -> list:
    """``(x, text-anchor, text)`` of the labels under a histogram: each point value under its
    bar when the bars are point values (every few when crowded), else 0, the middle and the
    maximum at the bars' edges."""
    n = len(bins)
    if all(b.hi - b.lo == 1 and b.label == _num(b.lo) for b in bins):
        step = max(1, math.ceil(n / 11))
        return [(_LEFT + (i + 0.5) * width, "middle", b.label) for i, b in enumerate(bins)
                if i % step == 0 or i == n - 1]
    edges = [(0, "start", bins[0].lo), (n // 2, "middle", bins[n // 2].lo), (n, "end", bins[-1].hi)]
    return [(_LEFT + k * width, anchor, f"{value:.3g}") for k, anchor, value in edges if n > 1 or k != n // 2]


def _table(fields, rows, numeric=(), look=lambda row: False) -> str:
    """An HTML table of ``rows`` (dicts) with ``fields`` as its columns, every cell escaped."""
    e = html.escape
    cls = {f: ' class="n"' if f in numeric else ' class="msg"' if f == "message" else "" for f in fields}
    head = "".join(f"<th{cls[f]}>{e(f.replace('_', ' '))}</th>" for f in fields)
    body = "".join(("<tr class='look'>" if look(r) else "<tr>")
                   + "".join(f"<td{cls[f]}>{e(str(r.get(f, '')))}</td>" for f in fields) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chapter_section(stats) -> str:
    """The histograms of the chapters, each with its mean and median."""
    e = html.escape
    parts = []
    for s in stats:
        caption = (f"{s.submissions} submission(s), mean {s.mean:.2f}, median {_num(round(s.median, 3))}"
                   f" of {_num(s.max_score)}")
        parts.append(f'<div class="chapter"><h3>{e(s.chapter)}</h3><p>{e(caption)}</p>'
                     f'{svg_histogram(s.bins, f"Scores of {s.chapter}")}</div>')
    return '<div class="chapters">' + "".join(parts) + "</div>" if parts else "<p>No chapter.</p>"


def render_html(grade_rows, test_rows, title: str = "grades") -> str:
    """The summary page (a complete HTML document, as a string): counts per status, a histogram
    per chapter, the per-student table (rows to look at highlighted) and the most failed tests
    (at most :data:`TOP_TESTS`, only tests that some submission failed)."""
    e = html.escape
    counts = status_counts(grade_rows)
    totals = student_totals(grade_rows)
    failing = [r for r in failed_tests(grade_rows, test_rows) if r["failed"] != "0"][:TOP_TESTS]
    n_chapters = len(chapter_maxima(grade_rows))
    return "".join([
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class summary: {e(title)}"
        f"</title><style>{_CSS}</style></head><body><h1>Class summary: {e(title)}</h1>",
        f"<p>{len(grade_rows)} submission(s) of {len(totals)} student(s) to {n_chapters} chapter(s).</p>",
        "<h2>Status</h2>", _table(list(counts), [{s: str(n) for s, n in counts.items()}], numeric=counts),
        "<h2>Scores per chapter</h2>", _chapter_section(chapter_stats(grade_rows)),
        f"<h2>Students</h2><p>handed in: of {n_chapters} chapter(s); highlighted: a submission to look at.</p>",
        _table(STUDENT_FIELDS, totals, numeric=STUDENT_FIELDS[1:],
               look=lambda r: any(r[s] != "0" for s in LOOK)),
        "<h2>Most failed tests</h2>",
        _table(FAILED_FIELDS, failing, numeric=FAILED_FIELDS[2:7]) if failing else "<p>No test failed.</p>",
        "</body></html>\n"])


# ---------------------------------------------------------------- files

def read_rows(path: Path) -> list:
    """The rows of a CSV file as dicts keyed by its header (UTF-8, a byte-order mark allowed)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def csv_text(fields, rows) -> str:
    """``rows`` (dicts) as CSV text with the header ``fields``, in the dialect of ``nntrain grade``."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_report(grades_csv: Path) -> ReportPaths:
    """Read ``grades_csv`` and its ``<stem>_tests.csv`` (no per-test rows when that file is
    missing) and write the four files of :func:`report_paths`; returns their paths."""
    grades_csv = Path(grades_csv)
    grade_rows = read_rows(grades_csv)
    tests_csv = per_test_csv_path(grades_csv)
    test_rows = read_rows(tests_csv) if tests_csv.is_file() else []
    paths = report_paths(grades_csv)
    atomic_write(paths.students, csv_text(STUDENT_FIELDS, student_totals(grade_rows)))
    atomic_write(paths.lms, csv_text(lms_fields(grade_rows), lms_rows(grade_rows)))
    atomic_write(paths.tests_failed, csv_text(FAILED_FIELDS, failed_tests(grade_rows, test_rows)))
    atomic_write(paths.summary, render_html(grade_rows, test_rows, grades_csv.name))
    return paths
