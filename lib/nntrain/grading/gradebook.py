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
  manual grade".

:func:`write_notebook` puts each executed submission where the formgrader looks for it
(``autograder/autograded/<student>/<chapter>/``): the student's cells with their outputs, the
test cells with their visible source only (never the hidden tests), without the grader's own
cells.  So ``nbgrader export`` reports the scores of ``grades.csv``, and the formgrader lists
every submission and shows it for manual grading.  A re-grade updates the same submission (never a second one); a manual score
given in the formgrader stays, as nbgrader's own re-grading keeps it.  Writers take the
gradebook lock of :func:`.release.gradebook_lock`, one at a time.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from . import execute, integrity
from .notebook import nbgrader_meta
from .release import gradebook_lock

#: statuses whose rows a person should look at
REVIEW = ("flagged", "needs_review", "unreadable")


def _coursedir(root: Path):
    from .course import nbgrader_api
    return nbgrader_api(root).coursedir


def db_url(root: Path) -> str:
    """The gradebook of the course at ``root``, as its ``nbgrader_config.py`` sets it."""
    return _coursedir(root).db_url


def read_timestamp(folder: Path | None):
    """The hand-in time nbgrader wrote beside a submission (``timestamp.txt``), or None."""
    if folder is None or not (Path(folder) / "timestamp.txt").is_file():
        return None
    from nbgrader.utils import parse_utc
    try:
        return parse_utc((Path(folder) / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (ValueError, OverflowError):
        return None


def _record_row(gb, row, timestamp):
    """One row's student, submission and cell scores (the caller commits)."""
    from nbgrader.api import MissingEntry
    gb.update_or_create_student(row.student)
    gb.update_or_create_submission(row.chapter, row.student, timestamp=timestamp)
    scores = {test.grade_id: test.score for test in row.tests}
    review = row.status in REVIEW
    for cell in gb.find_assignment(row.chapter).notebooks[0].grade_cells:
        try:
            grade = gb.find_grade(cell.name, row.chapter, row.chapter, row.student)
        except MissingEntry:
            continue
        grade.auto_score = float(scores.get(cell.name, 0.0))
        grade.needs_manual_grade = review


def record(root: Path, rows, timestamps: dict | None = None) -> int:
    """Record ``rows`` (of :mod:`.grade`) in the course's gradebook; return how many.

    ``timestamps``: (student, chapter) -> hand-in time.  Rows of chapters the gradebook does
    not know (never released) are left out.
    """
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning
    timestamps = timestamps or {}
    done = 0
    coursedir = _coursedir(root)
    with gradebook_lock(root), Gradebook(coursedir.db_url, course_id=coursedir.course_id) as gb, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)     # nbgrader's own session use, harmless
        known = set()
        for row in rows:
            if row.chapter not in known:
                try:
                    gb.find_assignment(row.chapter)
                except MissingEntry:
                    continue
                known.add(row.chapter)
            _record_row(gb, row, timestamps.get((row.student, row.chapter)))
            done += 1
        gb.db.commit()
    return done


def write_notebook(nb, master, folder: Path, submitted: Path | None = None):
    """The executed submission ``nb`` as the formgrader shows it, into ``folder`` (replaced
    whole), with nbgrader's ``timestamp.txt`` from the ``submitted`` folder if it has one."""
    shown = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if cell.metadata.get(integrity.MARK) or cell.metadata.get(execute.SKIP):
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
