"""``nntrain grade``: grade a whole class, one row per student and chapter.

SUBMITTED_DIR holds ``<student>/<chapter>/<chapter>.ipynb`` (nbgrader's submitted layout).
For each submission: rebuild it around the instructor's cells (:mod:`.assemble`), add the
grader's integrity checks (:mod:`.integrity`), run it in a limited kernel inside a sandbox
(:mod:`.execute`, :mod:`.sandbox`), score every test cell (its points if it ran without an
error and its integrity check acknowledged, else 0), write feedback HTML, and add a row to
the CSV.  One broken or hostile submission never stops the others; the command exits 0 when
every submission was processed (whatever the scores) and non-zero only when grading itself
could not be done.

CSV columns: ``student,chapter,score,max_score,status,reason,tests``; status is ``graded``,
``flagged`` (the code reaches for the checking machinery, see :mod:`.scan`: a person should
look), ``needs_review`` (the kernel died or a time limit cut the run short) or
``unreadable`` (no notebook could be read).  ``<out>_tests.csv`` has one row per test cell.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import nbformat

from . import execute, gradebook, integrity, sandbox
from .feedback import write as write_feedback
from .assemble import Master, assemble, load_master
from .course import CourseError, chapter_ids
from .notebook import nbgrader_meta
from .release import generate
from .scan import scan

FIELDS = ["student", "chapter", "score", "max_score", "status", "reason", "tests"]
TEST_FIELDS = ["student", "chapter", "test", "score", "max_score", "result", "message"]


class TestResult(NamedTuple):
    """One test cell of one submission: its points earned of its points, and why."""
    grade_id: str
    score: float
    max_score: float
    result: str          # "passed", "failed", "not run", "unchecked", ...
    message: str


@dataclass
class Submission:
    student: str
    chapter: str
    path: Path | None
    problem: str = ""
    note: str = ""


@dataclass
class Row:
    student: str
    chapter: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"
    reason: str = ""
    tests: list = field(default_factory=list)   # TestResult of every test cell, in order

    def csv_row(self):
        return {"student": self.student, "chapter": self.chapter, "score": _num(self.score),
                "max_score": _num(self.max_score), "status": self.status, "reason": self.reason,
                "tests": " ".join(f"{g}={_num(s)}/{_num(m)}" for g, s, m, _, _ in self.tests)}


def _num(x):
    return f"{x:g}"


def find_submissions(submitted: Path, known: list, only=None) -> list:
    """Every ``<student>/<chapter>/`` folder under ``submitted``, with what is wrong with it."""
    subs = []
    for sdir in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
        stray = sorted(p.name for p in sdir.glob("*.ipynb"))
        if stray and not any(p.is_dir() for p in sdir.iterdir()):
            chapter = Path(stray[0]).stem if len(stray) == 1 else "?"
            if not only or chapter in only:
                subs.append(Submission(sdir.name, chapter, None,
                                       f"wrong layout: expected {sdir.name}/<chapter>/<chapter>.ipynb, "
                                       f"found {', '.join(stray)} directly in the student's folder"))
            continue
        for cdir in sorted(p for p in sdir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            chapter = cdir.name
            if only and chapter not in only:
                continue
            if chapter not in known:
                subs.append(Submission(sdir.name, chapter, None, f"unknown chapter folder {chapter!r}"))
                continue
            expected = cdir / f"{chapter}.ipynb"
            if expected.is_file():
                subs.append(Submission(sdir.name, chapter, expected))
                continue
            found = sorted(p for p in cdir.glob("*.ipynb") if not p.name.startswith("."))
            if len(found) == 1:
                subs.append(Submission(sdir.name, chapter, found[0],
                                       note=f"notebook named {found[0].name}, expected {expected.name}"))
            else:
                what = ", ".join(p.name for p in found) or "no notebook"
                subs.append(Submission(sdir.name, chapter, None,
                                       f"expected {expected.name} in {sdir.name}/{chapter}/, found {what}"))
    return subs


def prepare_masters(root: Path, chapters: list) -> dict:
    """Regenerate each chapter into a scratch folder (which also brings the gradebook up to
    date with ``solutions/``) and load its master cells."""
    from .course import nbgrader_api
    db_url = nbgrader_api(root).coursedir.db_url
    masters = {}
    with tempfile.TemporaryDirectory(prefix="nntrain-release-") as tmp:
        for chapter in chapters:
            out = generate(root, chapter, Path(tmp))
            released = nbformat.read(out / f"{chapter}.ipynb", as_version=4)
            masters[chapter] = load_master(released, db_url, chapter)
    return masters


def _read(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read file: {exc.__class__.__name__}"
    if not text.strip():
        return None, "empty file"
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:   # invalid JSON, unknown nbformat, not a notebook
        return None, f"not a readable notebook: {exc.__class__.__name__}: {str(exc)[:200]}"
    if not isinstance(nb.get("cells"), list):
        return None, "not a readable notebook: no cells"
    return nb, ""


@dataclass
class Jail:
    """How kernels are confined in this batch (see :mod:`.sandbox`)."""
    mode: str = "none"
    hidden: list = field(default_factory=list)


def grade_one(sub: Submission, master: Master | None, work: Path, feedback: Path | None,
              limits: execute.Limits, jail: Jail | None = None, autograded: Path | None = None) -> Row:
    """Grade one submission: its row; its feedback page under ``feedback`` and its executed
    notebook under ``autograded`` (for the formgrader), when those are given."""
    row = Row(sub.student, sub.chapter)
    if master is not None:
        row.max_score = master.max_score
        row.tests = [TestResult(g, 0.0, p, "not run", "") for g, p in master.points.items()]
    if sub.path is None:
        row.status, row.reason = "unreadable", sub.problem
        return _unreadable(row, sub, feedback)
    submission, problem = _read(sub.path)
    if submission is None:
        row.status, row.reason = "unreadable", problem
        return _unreadable(row, sub, feedback)
    nb, notes = assemble(submission, master)
    guard = integrity.Run()
    nb.cells = _with_integrity_checks(nb.cells, guard)
    cwd = work / sub.student / sub.chapter
    shutil.rmtree(cwd, ignore_errors=True)
    shutil.copytree(sub.path.parent, cwd, ignore=shutil.ignore_patterns("*.ipynb", ".*"))
    jail = jail or Jail()
    try:
        with sandbox.SLOTS.take() as slot:
            box = sandbox.prepare(jail.mode, str(cwd), jail.hidden, limits, slot)
            run = execute.run(nb, str(cwd), limits, box)
    except Exception as exc:   # the grader itself failed on this one: say so, go on
        row.status, row.reason = "needs_review", f"grader error: {exc.__class__.__name__}: {str(exc)[:300]}"
        return row
    restored = sorted({name for cell in nb.cells if cell.metadata.get(integrity.MARK)
                       for name in integrity.restored_names(_stream_text(cell))})
    tests, unguarded, guarded = [], [], False
    for cell, cell_run in zip(nb.cells, run.cells):
        if CHECK_INDEX in cell.metadata:
            guarded = (cell_run.status == "ok"
                       and guard.acknowledged(cell.metadata[CHECK_INDEX], _stream_text(cell)))
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in master.points:
            ok = cell_run.status == "ok"
            result, message = ("passed" if ok else cell_run.status), cell_run.error
            if ok and not guarded:
                # the grader's check before this test did not run to its end: something in
                # the notebook stopped it, so the test's verdict cannot be trusted
                ok, result = False, "unchecked"
                message = "the grader's integrity check before this test was prevented from running"
                unguarded.append(gid)
            tests.append(TestResult(gid, master.points[gid] if ok else 0.0, master.points[gid], result, message))
            guarded = False
    row.tests = tests
    row.score = sum(t[1] for t in tests)
    reasons = ([sub.note] if sub.note else []) + notes
    timeouts = [str(c.index) for c in run.cells if c.status == "timeout"]
    if timeouts:
        reasons.append(f"cell time limit ({limits.cell_timeout:g} s) hit in cell(s) {', '.join(timeouts)}")
    suspicious = scan((nbgrader_meta(c).get("grade_id") or f"cell {i}", c.source)
                      for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and not _instructor_cell(c, master))
    if restored:
        suspicious.insert(0, "changed what the tests rely on (put back before each test): "
                          + ", ".join(restored)[:300])
    if unguarded:
        suspicious.insert(0, "stopped the grader's integrity check (those tests score 0): "
                          + ", ".join(unguarded)[:300])
    if suspicious:
        row.status = "flagged"
        reasons = suspicious + reasons
    if run.events:
        row.status = "needs_review"
        reasons = run.events + reasons
    row.reason = "; ".join(reasons)[:1000]
    if feedback is not None:
        write_feedback(nb, row, master, feedback / sub.student / sub.chapter / f"{sub.chapter}.html",
                       sub.path.parent)
    if autograded is not None:
        gradebook.write_notebook(nb, master, autograded / sub.student / sub.chapter, sub.path.parent)
    return row


def _unreadable(row: Row, sub: Submission, feedback: Path | None) -> Row:
    """An unreadable submission's row, with a feedback page that says why."""
    if feedback is not None and sub.chapter and sub.chapter != "?":
        write_feedback(None, row, None, feedback / sub.student / sub.chapter / f"{sub.chapter}.html",
                       sub.path.parent if sub.path is not None else None)
    return row


def _stream_text(cell) -> str:
    """What a cell printed (its stdout and stderr streams)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


CHECK_INDEX = "nntrain_check"   # metadata of an injected check cell: its number


def _with_integrity_checks(cells, guard: integrity.Run):
    """The grader's own cells: a snapshot first, a check before every test cell."""
    def injected(source):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata[integrity.MARK] = True
        return cell

    out = [injected(guard.snapshot())]
    for cell in cells:
        if nbgrader_meta(cell).get("grade"):
            check = injected(guard.check(len(out)))
            check.metadata[CHECK_INDEX] = len(out)
            out.append(check)
        out.append(cell)
    return out


def _instructor_cell(cell, master: Master) -> bool:
    """A cell whose source is the instructor's: a locked or test cell, or an unchanged demo."""
    meta = nbgrader_meta(cell)
    return (bool(meta.get("grade_id") and not meta.get("solution")) or cell.source in master.demo_sources
            or bool(cell.metadata.get(integrity.MARK)))


def _write_csv(path: Path, fields, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def _write_results(out: Path, rows):
    """Both CSVs of a batch, each replaced whole (never a mix of two runs)."""
    _write_csv(out, FIELDS, [r.csv_row() for r in rows])
    _write_csv(per_test_csv_path(out), TEST_FIELDS,
               [{"student": r.student, "chapter": r.chapter, "test": g, "score": _num(s),
                 "max_score": _num(m), "result": res, "message": msg[:500]}
                for r in rows for g, s, m, res, msg in r.tests])


def per_test_csv_path(out: Path) -> Path:
    return out.with_name(out.stem + "_tests.csv")


def grade(root: Path, submitted: Path, out: Path, feedback: Path | None = None, chapters=None,
          limits: execute.Limits | None = None, jobs: int = 1, progress: bool = True,
          sandbox_mode: str = "auto", record: bool = False) -> list:
    """Grade every submission under ``submitted``; write ``out`` (+ ``*_tests.csv``) and feedback.
    ``sandbox_mode``: ``auto`` (the strongest available) or one of :data:`.sandbox.MODES`.
    ``record``: also record the results in the course's gradebook (:mod:`.gradebook`)."""
    root, submitted, out = Path(root), Path(submitted), Path(out)
    if not submitted.is_dir():
        raise CourseError(f"submitted folder {submitted} does not exist")
    limits = limits or execute.Limits()
    known = chapter_ids(root)
    subs = find_submissions(submitted, known, set(chapters) if chapters else None)
    needed = sorted({s.chapter for s in subs if s.chapter in known})
    masters = prepare_masters(root, needed)
    # a scratch folder of this batch's own: concurrent batches never share one
    (root / "autograder" / "work").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="batch-", dir=root / "autograder" / "work"))
    jail = Jail(sandbox.detect(sandbox_mode),
                sandbox.hidden_paths(root, [submitted, out, per_test_csv_path(out)]
                                     + ([feedback] if feedback is not None else [])))
    if feedback is not None:
        for s in subs:   # a re-grade never leaves stale feedback behind
            shutil.rmtree(Path(feedback) / s.student / s.chapter, ignore_errors=True)

    def one(sub):
        try:
            return grade_one(sub, masters.get(sub.chapter), work, feedback, limits, jail,
                             autograded=root / "autograder" / "autograded" if record else None)
        except Exception as exc:   # never lose the batch to one submission
            row = Row(sub.student, sub.chapter, status="needs_review",
                      reason=f"grader error: {exc.__class__.__name__}: {str(exc)[:300]}")
            if sub.chapter in masters:
                row.max_score = masters[sub.chapter].max_score
            return row

    from tqdm.auto import tqdm
    bar = tqdm(total=len(subs), desc="grading", unit="nb", disable=not progress)
    rows = []
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [pool.submit(one, sub) for sub in subs]
    try:
        for future in futures:
            rows.append(future.result())
            bar.update()
    except BaseException as exc:   # Ctrl-C, or the grader itself broke: never leave old scores
        pool.shutdown(wait=False, cancel_futures=True)
        for sub, future in zip(subs[len(rows):], futures[len(rows):]):
            if future.done() and not future.cancelled() and future.exception() is None:
                rows.append(future.result())
            else:
                rows.append(Row(sub.student, sub.chapter, status="needs_review",
                                max_score=masters[sub.chapter].max_score if sub.chapter in masters else 0.0,
                                reason=f"not graded: the batch stopped ({exc.__class__.__name__})"))
        _write_results(out, rows)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        shutil.rmtree(work, ignore_errors=True)
    _write_results(out, rows)
    if record:
        gradebook.record(root, rows, {(s.student, s.chapter): gradebook.read_timestamp(s.path and s.path.parent)
                                      for s in subs})
    return rows


def summary(rows) -> str:
    """Counts per status and mean score per chapter and test, for the terminal."""
    from collections import Counter, defaultdict
    lines = [f"graded {len(rows)} submission(s): " +
             ", ".join(f"{n} {s}" for s, n in sorted(Counter(r.status for r in rows).items()))]
    by_chapter = defaultdict(list)
    for r in rows:
        by_chapter[r.chapter].append(r)
    for chapter, rs in sorted(by_chapter.items()):
        mean = sum(r.score for r in rs) / len(rs)
        lines.append(f"  {chapter}: mean {mean:.2f} / {_num(rs[0].max_score)} over {len(rs)}")
        per_test = defaultdict(list)
        for r in rs:
            for g, s, m, _, _ in r.tests:
                per_test[(g, m)].append(s)
        for (g, m), ss in per_test.items():
            lines.append(f"    {g}: mean {sum(ss) / len(ss):.2f} / {_num(m)}")
    return "\n".join(lines)
