"""``nntrain grade``: grade a whole class, one row per student and chapter.

SUBMITTED_DIR holds ``<student>/<chapter>/<chapter>.ipynb`` (nbgrader's submitted layout).
Each submission goes one way through the package (see :mod:`nntrain.grading`): read it
(:mod:`.submissions`), rebuild it around the instructor's cells (:mod:`.assemble`), add the
grader's integrity checks (:mod:`.integrity`), run it in a limited kernel inside a sandbox
(:mod:`.execute`, :mod:`.sandbox`), score it (:mod:`.score`), mark it late if it is
(:class:`.gradebook.Lateness`), and write its feedback page and executed notebook.  Then the
batch: the CSVs (:mod:`.results`), the gradebook (:mod:`.gradebook`) and the class report
(:mod:`.report`).

One broken or hostile submission never stops the others; the command exits 0 when every
submission was processed (whatever the scores) and non-zero only when grading itself could
not be done.
"""
from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..course.layout import CourseError, chapter_ids
from . import execute, gradebook, integrity, merge, report, results, sandbox, submissions, warm
from .assemble import Master, assemble, load_masters
from .feedback import write as write_feedback
from .records import Row, Stopwatch, Submission, TestResult
from .score import score


@dataclass(frozen=True)
class Batch:
    """What every submission of one run shares: where things go and how kernels run."""
    work: Path                       # scratch folders of this batch's kernels
    limits: execute.Limits
    policy: sandbox.Policy
    lateness: gradebook.Lateness = gradebook.Lateness({})
    feedback: Path | None = None     # feedback pages: <feedback>/<student>/<chapter>/<chapter>.html
    autograded: Path | None = None   # executed notebooks for the formgrader
    factory: warm.Factory | None = None   # the warm kernel factory (None: every kernel starts cold)


def grade_one(sub: Submission, master: Master | None, batch: Batch) -> Row:
    """Grade one submission: its row; its feedback page and its executed notebook (for the
    formgrader), when the batch writes those."""
    if sub.path is None:
        return _unreadable(sub, master, sub.problem, batch)
    watch = Stopwatch()
    with watch("read and assemble"):
        submitted, problem = submissions.read(sub.path)
        if submitted is None:
            return _unreadable(sub, master, problem, batch)
        nb, notes = assemble(submitted, master)
        guard = integrity.Run()
        nb.cells = integrity.inject(nb.cells, guard)
    try:
        run = _run(nb, sub, batch, watch)
    except Exception as exc:   # the grader itself failed on this one: say so, go on
        return _failed(sub, master, f"grader error: {exc.__class__.__name__}: {str(exc)[:300]}")
    with watch("score"):
        row = score(nb, run, master, guard, sub, notes, batch.limits)
        batch.lateness.apply(row)
    with watch("feedback"):
        if batch.feedback is not None:
            write_feedback(nb, row, master, _page(batch.feedback, sub), sub.folder)
        if batch.autograded is not None:
            gradebook.write_notebook(nb, master, batch.autograded / sub.student / sub.chapter, sub.folder)
    row.timings, row.peak_rss = watch, run.peak_rss
    return row


def _run(nb, sub: Submission, batch: Batch, watch: Stopwatch) -> execute.RunResult:
    """Run ``nb`` in a sandbox of its own, in a copy of the submission's folder."""
    cwd = batch.work / sub.student / sub.chapter
    with sandbox.SLOTS.take() as slot:
        with watch("sandbox set-up"):
            shutil.rmtree(cwd, ignore_errors=True)
            shutil.copytree(sub.folder, cwd, ignore=shutil.ignore_patterns("*.ipynb", ".*"))
            box = batch.policy.prepare(str(cwd), batch.limits.resources, slot)
        run = execute.run(nb, str(cwd), batch.limits, box, batch.factory)
    snapshot = run.cells[0].seconds if run.cells else 0.0    # the integrity snapshot comes first
    watch["kernel start"] = run.start_seconds
    watch["integrity snapshot"] = snapshot
    watch["cells"] = run.seconds - run.start_seconds - snapshot
    return run


def _page(feedback: Path, sub: Submission) -> Path:
    return feedback / sub.student / sub.chapter / f"{sub.chapter}.html"


def _failed(sub: Submission, master: Master | None, reason: str, status: str = "needs_review") -> Row:
    """The row of a submission that could not be graded: every test 0, "not run"."""
    tests = [TestResult(g, 0.0, p, "not run", "") for g, p in master.points.items()] if master else []
    return Row(sub.student, sub.chapter, max_score=master.max_score if master else 0.0, status=status,
               reason=reason, tests=tests, timestamp=sub.timestamp)


def _unreadable(sub: Submission, master: Master | None, why: str, batch: Batch) -> Row:
    """An unreadable submission's row, with a feedback page that says why."""
    row = _failed(sub, master, why, status="unreadable")
    batch.lateness.apply(row)
    if batch.feedback is not None and sub.chapter and sub.chapter != "?":
        write_feedback(None, row, None, _page(batch.feedback, sub), sub.folder)
    return row


def grade(root: Path, submitted: Path, out: Path, feedback: Path | None = None, chapters=None,
          limits: execute.Limits | None = None, jobs: int = 1, progress: bool = True,
          sandbox_mode: str = "auto", record: bool = False, students=None,
          shard: submissions.Shard | None = None, timings: Stopwatch | None = None,
          warm_kernels: bool = True) -> list:
    """Grade every submission under ``submitted`` (only ``chapters`` and ``students``, when
    given: then the CSVs and the gradebook keep every other row); write ``out`` (+ the
    per-test CSV and the class report) and feedback.  ``sandbox_mode``: ``auto`` (the
    strongest available) or one of :data:`.sandbox.MODES`.  ``record``: also record the
    results in the course's gradebook (:mod:`.gradebook`).  ``shard``: grade only its
    students, into folders of its own, for :mod:`.merge` (which records them).  ``timings``:
    gets the seconds of the batch's own stages.  ``warm_kernels``: fork the kernels from a warm
    factory (:mod:`.warm`; if it cannot start, kernels start cold and a warning says why).
    Returns the rows."""
    root, submitted, out = Path(root), Path(submitted), Path(out)
    if not submitted.is_dir():
        raise CourseError(f"submitted folder {submitted} does not exist")
    watch = timings if timings is not None else Stopwatch()
    partial = bool(chapters or students)
    with watch("batch set-up"):
        known = chapter_ids(root)
        subs = submissions.find(submitted, known, set(chapters or ()), set(students or ()), shard)
        course = gradebook.Course.read(root)
        masters = load_masters(root, sorted({s.chapter for s in subs if s.chapter in known}), course.db_url)
        batch = _batch(root, submitted, out, feedback, course, subs, limits, sandbox_mode, record or shard, shard)
        if shard:
            record = False                               # the merge records the whole class at once
            merge.write_manifest(out, shard, feedback, batch.autograded, partial)
        if warm_kernels and subs:
            batch = dataclasses.replace(batch, factory=_factory())
    try:
        rows = _grade_all(subs, masters, batch, jobs, progress, lambda done: results.write(out, done, partial))
    finally:
        if batch.factory is not None:
            batch.factory.close()
        shutil.rmtree(batch.work, ignore_errors=True)
    with watch("CSVs, gradebook, report"):
        results.write(out, rows, partial)
        if record:
            gradebook.record(course, rows)
        report.write_report(out)
    return rows


def _factory() -> warm.Factory | None:
    """This batch's warm kernel factory, or None (with a warning that says why)."""
    try:
        return warm.Factory.start()
    except warm.FactoryError as exc:
        print(f"warning: kernels start cold (the warm kernel factory could not start: {exc})", file=sys.stderr)
        return None


def _batch(root: Path, submitted: Path, out: Path, feedback: Path | None, course, subs, limits,
           sandbox_mode: str, autograde: bool, shard) -> Batch:
    """What this batch's submissions share; clears their old feedback pages."""
    hidden = [submitted, out, results.per_test_csv_path(out)] + ([feedback] if feedback is not None else [])
    policy = sandbox.Policy(sandbox.detect(sandbox_mode), tuple(sandbox.hidden_paths(root, hidden, course.db_url)))
    (root / "autograder" / "work").mkdir(parents=True, exist_ok=True)
    autograded = (out.parent / "autograded" if shard else root / "autograder" / "autograded") if autograde else None
    if feedback is not None:
        for s in subs:   # a re-grade never leaves stale feedback behind
            shutil.rmtree(Path(feedback) / s.student / s.chapter, ignore_errors=True)
    # a scratch folder of this batch's own: concurrent batches never share one
    return Batch(Path(tempfile.mkdtemp(prefix="batch-", dir=root / "autograder" / "work")),
                 limits or execute.Limits(), policy, gradebook.Lateness.read(course, subs), feedback, autograded)


def _grade_all(subs, masters, batch: Batch, jobs: int, progress: bool, save_partial) -> list:
    """The rows of ``subs``, graded ``jobs`` at a time.  If the batch stops (Ctrl-C, the
    grader broke), ``save_partial`` gets what was graded plus "not graded" rows for the rest,
    so no old score stays in the CSVs, and the exception goes on."""
    from tqdm.auto import tqdm
    bar = tqdm(total=len(subs), desc="grading", unit="nb", disable=not progress)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [pool.submit(_grade_safely, sub, masters.get(sub.chapter), batch) for sub in subs]
    rows = []
    try:
        for future in futures:
            rows.append(future.result())
            bar.update()
    except BaseException as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        for sub, future in zip(subs[len(rows):], futures[len(rows):]):
            done = future.done() and not future.cancelled() and future.exception() is None
            rows.append(future.result() if done else _failed(
                sub, masters.get(sub.chapter), f"not graded: the batch stopped ({exc.__class__.__name__})"))
        save_partial(rows)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
    return rows


def _grade_safely(sub: Submission, master: Master | None, batch: Batch) -> Row:
    """:func:`grade_one`, never raising: one submission never costs the batch."""
    try:
        return grade_one(sub, master, batch)
    except Exception as exc:
        return _failed(sub, master, f"grader error: {exc.__class__.__name__}: {str(exc)[:300]}")


def summary(rows) -> str:
    """Counts per status and mean score per chapter and test, for the terminal."""
    from collections import Counter, defaultdict

    from .records import points
    lines = [f"graded {len(rows)} submission(s): " +
             ", ".join(f"{n} {s}" for s, n in sorted(Counter(r.status for r in rows).items()))]
    by_chapter = defaultdict(list)
    for r in rows:
        by_chapter[r.chapter].append(r)
    for chapter, rs in sorted(by_chapter.items()):
        mean = sum(r.score for r in rs) / len(rs)
        lines.append(f"  {chapter}: mean {mean:.2f} / {points(rs[0].max_score)} over {len(rs)}")
        per_test = defaultdict(list)
        for r in rs:
            for t in r.tests:
                per_test[(t.grade_id, t.max_score)].append(t.score)
        for (g, m), ss in per_test.items():
            lines.append(f"    {g}: mean {sum(ss) / len(ss):.2f} / {points(m)}")
    return "\n".join(lines)
