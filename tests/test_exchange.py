"""An instructor's term through nbgrader's exchange, with `nntrain grade` in the middle:
release, fetch, submit (one student on time, one late), collect, grade, release the feedback,
fetch it.  Each student receives nntrain's page; the late one is marked late in the CSV, in the
gradebook (with the penalty nbgrader's late-submission plugin gives) and on the page.

The students' commands run as nbgrader's command line does on a JupyterHub, where the account
is `jovyan` and the student is `JUPYTERHUB_USER`; the instructor's go through nbgrader's API."""
import csv
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from nntrain.course.layout import nbgrader_api
from nntrain.grading import gradebook
from nntrain.grading.grade import grade
from tests.course import ROOT

CHAPTER = "04_moving_averages"

pytestmark = pytest.mark.slow

#: nbgrader's command line as a JupyterHub student runs it
STUDENT_NBGRADER = ("import sys, nbgrader.utils as u; u.get_osusername = lambda: 'jovyan'; "
                    "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()")


def _student(home: Path, student: str, exchange: Path, *args):
    env = {**os.environ, "JUPYTERHUB_USER": student, "HOME": str(home)}   # its own nbgrader cache
    done = subprocess.run([sys.executable, "-c", STUDENT_NBGRADER, *args, "--course=nntrain",
                           f"--Exchange.root={exchange}"], cwd=home, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} as {student}:\n{done.stderr[-2000:]}"


def _each(homes: dict, exchange: Path, command: str):
    """Every student runs ``nbgrader COMMAND`` on the chapter, at the same time."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=len(homes)) as pool:
        list(pool.map(lambda item: _student(item[1], item[0], exchange, command, CHAPTER), homes.items()))


def _solve(home: Path):
    """The student pastes the solutions into the fetched chapter and saves it."""
    nbformat.write(nbformat.read(ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4),
                   home / CHAPTER / f"{CHAPTER}.ipynb")


def _set_due(api, when: datetime):
    from nbgrader.api import Gradebook
    with Gradebook(api.coursedir.db_url, course_id="nntrain") as gb:
        gb.update_or_create_assignment(CHAPTER, duedate=when)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    course, exchange = tmp / "course", tmp / "exchange"
    for folder in ("solutions", "chapters"):
        shutil.copytree(ROOT / folder / CHAPTER, course / folder / CHAPTER)
    (course / "autograder").mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text()
                                               + '\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    exchange.mkdir()
    api = nbgrader_api(course)
    api.config.Exchange.root = str(exchange)
    _set_due(api, datetime(2099, 1, 1))
    assert api.release_assignment(CHAPTER)["success"]
    homes = {s: tmp / s for s in ("ada", "ben")}
    for home in homes.values():
        home.mkdir()
    _each(homes, exchange, "fetch_assignment")
    for home in homes.values():
        _solve(home)
    _student(homes["ada"], "ada", exchange, "submit", CHAPTER)
    time.sleep(1.1)
    _set_due(api, datetime.now(timezone.utc).replace(tzinfo=None))   # nbgrader keeps UTC, naive
    time.sleep(1.1)
    _student(homes["ben"], "ben", exchange, "submit", CHAPTER)
    assert api.collect(CHAPTER)["success"]
    out = tmp / "grades.csv"
    rows = grade(course, course / "autograder" / "submitted", out, feedback=course / "autograder" / "feedback",
                 jobs=2, progress=False, record=True)
    assert api.release_feedback(CHAPTER)["success"]
    _each(homes, exchange, "fetch_feedback")
    return {"course": course, "homes": homes, "out": out, "rows": {r.student: r for r in rows}, "api": api}


def test_each_student_receives_nntrains_page_through_the_exchange(term):
    for student, home in term["homes"].items():
        pages = list((home / CHAPTER / "feedback").rglob(f"{CHAPTER}.html"))
        assert len(pages) == 1, f"{student} fetched {pages}"
        page = pages[0].read_text(encoding="utf-8")
        assert f"Feedback: {CHAPTER}, {student}" in page and "Score: " in page


def test_the_late_submission_is_marked_late_in_the_csv_and_on_its_page(term):
    with open(term["out"], newline="", encoding="utf-8") as f:
        lines = {r["student"]: r for r in csv.DictReader(f)}
    assert lines["ada"]["seconds_late"] == "" and lines["ada"]["late_penalty"] == ""
    assert float(lines["ben"]["seconds_late"]) >= 1, lines["ben"]          # 1.1 s after the due date
    assert lines["ben"]["late_penalty"] == lines["ben"]["score"] != "0", "penalty 'zero' takes the whole score"
    assert lines["ada"]["submitted_at"] < lines["ben"]["submitted_at"]
    page = next((term["homes"]["ben"] / CHAPTER / "feedback").rglob(f"{CHAPTER}.html")).read_text(encoding="utf-8")
    assert "Late</b>" in page and "after the due date" in page and "late penalty" in page
    page = next((term["homes"]["ada"] / CHAPTER / "feedback").rglob(f"{CHAPTER}.html")).read_text(encoding="utf-8")
    assert "Late</b>" not in page and "Handed in " in page


def test_the_gradebook_knows_who_was_late_and_the_penalty(term):
    from nbgrader.api import Gradebook
    rows = term["rows"]
    with Gradebook(gradebook.Course.read(term["course"]).db_url, course_id="nntrain") as gb:
        ada, ben = (gb.find_submission(CHAPTER, s) for s in ("ada", "ben"))
        assert ada.total_seconds_late == 0 and ben.total_seconds_late >= 1
        assert ada.score == rows["ada"].score > 0
        assert ben.late_submission_penalty == rows["ben"].late_penalty == rows["ben"].score > 0


def test_nbgraders_own_autograde_goes_through_the_integrity_checks(tmp_path):
    """`nbgrader autograde` with the course's configuration: wrong code hidden behind rebound
    checks (numpy's and the library's) loses its points and needs a manual grade, as under
    `nntrain grade` (without the checks nbgrader gave it full marks); an honest solution keeps
    full marks and is not flagged."""
    from nbgrader.api import Gradebook

    from nntrain.course.layout import nbgrader
    from nntrain.course.notebook import nbgrader_meta
    from tests.test_adversarial import CHAPTER as ADAM, LAST, LOST, TOTAL, _wrong
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions" / ADAM, course / "solutions" / ADAM)
    (course / "autograder").mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", ADAM, "--force")
    cheat = _wrong("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                   "np.testing.assert_allclose = lambda *a, **k: None\n"
                   "import nntrain.testing as T\nfor _n in ('assert_close', 'check', 'assert_shape'):\n"
                   "    setattr(T, _n, lambda *a, **k: None)\n")
    assert any(nbgrader_meta(c).get("grade_id") == LAST for c in cheat.cells)
    honest = nbformat.read(ROOT / "solutions" / ADAM / f"{ADAM}.ipynb", as_version=4)
    for student, nb in (("cai", cheat), ("ada", honest)):
        folder = course / "autograder" / "submitted" / student / ADAM
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ADAM}.ipynb")
    nbgrader(course, "autograde", ADAM, "--force")
    with Gradebook(gradebook.Course.read(course).db_url, course_id="nntrain") as gb:
        cai, ada = gb.find_submission(ADAM, "cai"), gb.find_submission(ADAM, "ada")
        assert cai.score == TOTAL - LOST, f"the cheat scored {cai.score} of {TOTAL}"
        assert all(g.needs_manual_grade for nb in cai.notebooks for g in nb.grades)
        assert ada.score == TOTAL, f"the honest solution scored {ada.score} of {TOTAL}"
        assert not any(g.needs_manual_grade for nb in ada.notebooks for g in nb.grades), \
            "an honest submission was flagged"
