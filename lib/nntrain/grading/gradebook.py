"""Record a graded batch in nbgrader's gradebook, as ``nbgrader autograde`` does.

``nntrain release`` records every chapter and its graded cells in the gradebook
(``autograder/gradebook.db``).  After a batch, :func:`record` adds, for each row whose chapter
the gradebook knows:

- the student and the submission, with the time the student handed it in (nbgrader's
  ``timestamp.txt`` beside the notebook, when there is one);
- every graded cell's auto score: its points if the test passed, else 0 (every cell 0 for a
  submission that could not be read);
- ``needs_manual_grade`` on every graded cell of a row a person should look at (status
  ``flagged``, ``needs_review`` or ``unreadable``), so the formgrader lists it under "needs
  manual grade";
- the late-submission penalty of nbgrader's late-submission plugin (configured in
  ``nbgrader_config.py``, as for ``nbgrader autograde``), for a submission handed in after
  the chapter's due date in the gradebook.

:class:`Lateness` computes that lateness for each row as it is graded (so the CSV and the
feedback page say it too): seconds after the due date (plus the student's extension, if the
gradebook has one) and the plugin's penalty.

:func:`write_notebook` puts each executed submission where the formgrader looks for it
(``autograder/autograded/<student>/<chapter>/``): the student's cells with their outputs, the
test cells with their visible source only (never the hidden tests), without the grader's own
cells.  So ``nbgrader export`` reports the scores of ``grades.csv``, and the formgrader lists
every submission and shows it for manual grading.  A re-grade updates the same submission (never a second one); a manual score
given in the formgrader stays, as nbgrader's own re-grading keeps it.  Writers take the
gradebook lock of :func:`nntrain.course.release.gradebook_lock`, one at a time.
"""
from __future__ import annotations

import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..course.layout import nbgrader_api
from ..course.notebook import nbgrader_meta
from ..course.release import gradebook_lock
from .records import INJECTED, REVIEW, SKIP, Row


@dataclass(frozen=True)
class Course:
    """The course's nbgrader settings, read once per batch from its ``nbgrader_config.py``."""
    root: Path
    db_url: str
    course_id: str
    config: object        # the traitlets configuration

    @classmethod
    def read(cls, root: Path) -> "Course":
        """The settings of the course at ``root``."""
        api = nbgrader_api(Path(root))
        return cls(Path(root), api.coursedir.db_url, api.coursedir.course_id, api.config)


@contextmanager
def _open(course: Course):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning
    with Gradebook(course.db_url, course_id=course.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)     # nbgrader's own session use, harmless
        yield gb


class Lateness:
    """The due dates of a batch's submissions (each with the student's extension, as the
    gradebook holds them) and nbgrader's late-submission plugin, as configured for the
    course: :meth:`apply` marks a graded row late and sets its penalty."""

    def __init__(self, due: dict, plugin=None):
        self.due = due          # (student, chapter) -> due date (naive UTC, as nbgrader's)
        self.plugin = plugin    # a LateSubmissionPlugin, or None

    @classmethod
    def read(cls, course: Course, subs) -> "Lateness":
        """The lateness rules of the submissions ``subs`` (of :mod:`.submissions`)."""
        from nbgrader.api import MissingEntry
        from nbgrader.preprocessors import AssignLatePenalties
        due = {}
        with _open(course) as gb:
            for sub in subs:
                try:
                    date = gb.find_assignment(sub.chapter).duedate
                except MissingEntry:
                    continue
                if date is not None:
                    due[sub.student, sub.chapter] = date + _extension(gb, sub.student, sub.chapter)
        penalties = AssignLatePenalties(config=course.config)
        penalties.init_plugin()
        return cls(due, penalties.plugin_inst)

    def apply(self, row: Row) -> None:
        """Set ``row.seconds_late`` (0 when on time or without a due date) and, when late,
        ``row.late_penalty`` (the plugin's, between 0 and the score)."""
        due = self.due.get((row.student, row.chapter))
        if row.timestamp is None or due is None:
            return
        row.seconds_late = max(0.0, (row.timestamp - due).total_seconds())
        if row.seconds_late > 0 and self.plugin is not None:
            penalty = self.plugin.late_submission_penalty(row.student, row.score, row.seconds_late)
            row.late_penalty = min(max(float(penalty or 0.0), 0.0), row.score)


def _extension(gb, student: str, chapter: str):
    """The student's extension for the chapter, as the gradebook holds it (0 without one)."""
    from datetime import timedelta

    from nbgrader.api import MissingEntry
    try:
        return gb.find_submission(chapter, student).extension or timedelta(0)
    except MissingEntry:
        return timedelta(0)


def _record_row(gb, row: Row):
    """One row's student, submission, cell scores and late penalty (the caller commits)."""
    from nbgrader.api import MissingEntry
    gb.update_or_create_student(row.student)
    gb.update_or_create_submission(row.chapter, row.student, timestamp=row.timestamp)
    scores = {test.grade_id: test.score for test in row.tests}
    review = row.status in REVIEW
    for cell in gb.find_assignment(row.chapter).notebooks[0].grade_cells:
        try:
            grade = gb.find_grade(cell.name, row.chapter, row.chapter, row.student)
        except MissingEntry:
            continue
        grade.auto_score = float(scores.get(cell.name, 0.0))
        grade.needs_manual_grade = review
    notebook = gb.find_submission_notebook(row.chapter, row.chapter, row.student)
    notebook.late_submission_penalty = row.late_penalty or None


def record(course: Course, rows) -> int:
    """Record ``rows`` in the course's gradebook; return how many.  Rows of chapters the
    gradebook does not know (never released) are left out."""
    from nbgrader.api import MissingEntry
    done = 0
    with gradebook_lock(course.root), _open(course) as gb:
        known = set()
        for row in rows:
            if row.chapter not in known:
                try:
                    gb.find_assignment(row.chapter)
                except MissingEntry:
                    continue
                known.add(row.chapter)
            _record_row(gb, row)
            done += 1
        gb.db.commit()
    return done


def write_notebook(nb, master, folder: Path, submitted: Path | None = None):
    """The executed submission ``nb`` as the formgrader shows it, into ``folder`` (replaced
    whole), with nbgrader's ``timestamp.txt`` from the ``submitted`` folder if it has one."""
    shown = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if cell.metadata.get(INJECTED) or cell.metadata.get(SKIP):
            continue
        cell = nbformat.from_dict(cell)
        gid = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution"):
            cell.source = master.visible_source.get(gid, "# (the test's source is not shown)")
        shown.cells.append(cell)
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nbformat.write(shown, folder / f"{folder.name}.ipynb")
    if submitted is not None and (Path(submitted) / "timestamp.txt").is_file():
        shutil.copy2(Path(submitted) / "timestamp.txt", folder / "timestamp.txt")
