"""`nntrain grade` records what it graded in nbgrader's gradebook: `nbgrader export` then
reports the scores of grades.csv, nbgrader's API lists every submission, rows a person should
look at need a manual grade, and a re-grade updates the same submissions."""
import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from nntrain.grading import gradebook
from nntrain.course.layout import nbgrader, nbgrader_api
from nntrain.grading.grade import grade
from nntrain.course.notebook import nbgrader_meta
from nntrain.contract import CONTRACT
from tests.course import ROOT

CHAPTERS = ["04_moving_averages", "08_dropout"]

pytestmark = pytest.mark.slow


def _course(tmp: Path) -> Path:
    """A course of its own (its own gradebook) with two chapters."""
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "chapters"):
        for chapter in CHAPTERS:
            shutil.copytree(ROOT / folder / chapter, course / folder / chapter)
    return course


def _put(submitted, student, chapter, nb, timestamp=None):
    folder = submitted / student / chapter
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{chapter}.ipynb")
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)


def _with_stub(chapter):
    """The solution with its last exercise put back to the stub."""
    fn = CONTRACT[chapter][-1]
    stub = next(c.source for c in nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4).cells
                if nbgrader_meta(c).get("grade_id") == fn)
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == fn:
            cell.source = stub
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gradebook")
    course, submitted = _course(tmp), tmp / "submitted"
    for chapter in CHAPTERS:
        _put(submitted, "ada", chapter, nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb",
                                                       as_version=4), "2026-12-01 10:00:00.000000 UTC")
        (submitted / "ada" / chapter / "submission_secret.txt").write_text("s3cret")   # nbgrader submit's
        _put(submitted, "ben", chapter, _with_stub(chapter))
    cheat = nbformat.read(ROOT / "solutions" / CHAPTERS[0] / f"{CHAPTERS[0]}.ipynb", as_version=4)
    cheat.cells.insert(2, nbformat.v4.new_code_cell("import numpy\nnumpy.allclose = lambda *a, **k: True"))
    _put(submitted, "cai", CHAPTERS[0], cheat)
    (submitted / "dan" / CHAPTERS[1]).mkdir(parents=True)
    (submitted / "dan" / CHAPTERS[1] / f"{CHAPTERS[1]}.ipynb").write_text("{ not json")
    out = tmp / "grades.csv"
    rows = grade(course, submitted, out, jobs=2, progress=False, record=True,
                 feedback=course / "autograder" / "feedback")
    return course, submitted, out, rows


def _export(course: Path, tmp: Path) -> dict:
    path = tmp / "export.csv"
    nbgrader(course, "export", f"--to={path}")
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}


def test_nbgrader_export_reports_the_scores_of_grades_csv(graded, tmp_path):
    course, _, out, rows = graded
    exported = _export(course, tmp_path)
    with open(out, newline="", encoding="utf-8") as f:
        ours = list(csv.DictReader(f))
    assert len(ours) == 6
    for row in ours:
        theirs = exported[(row["student"], row["chapter"])]
        assert float(theirs["score"]) == pytest.approx(float(row["score"])), (row, theirs)
        assert float(theirs["max_score"]) == pytest.approx(float(row["max_score"]))
    assert {r.status for r in rows} == {"graded", "flagged", "unreadable"}


def test_formgrader_lists_every_submission_and_what_needs_a_person(graded):
    course, _, _, rows = graded
    api = nbgrader_api(course)
    for chapter in CHAPTERS:
        listed = {s["student"]: s for s in api.get_submissions(chapter) if s["autograded"]}
        expected = {r.student: r for r in rows if r.chapter == chapter}
        assert set(listed) == set(expected)
        for student, row in expected.items():
            assert listed[student]["needs_manual_grade"] == (row.status in gradebook.REVIEW), (student, row.status)
            assert listed[student]["score"] == pytest.approx(row.score)
    ada = next(s for s in api.get_submissions(CHAPTERS[0]) if s["student"] == "ada")
    assert ada["timestamp"].startswith("2026-12-01")


def test_the_formgrader_finds_each_executed_submission_without_hidden_tests(graded):
    course, _, _, rows = graded
    for row in rows:
        if row.status == "unreadable":
            continue
        path = course / "autograder" / "autograded" / row.student / row.chapter / f"{row.chapter}.ipynb"
        text = path.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in text and "nntrain-integrity" not in text
        nb = nbformat.read(path, as_version=4)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert (course / "autograder" / "autograded" / "ada" / CHAPTERS[0] / "timestamp.txt").is_file()


def test_regrading_updates_the_same_submissions(graded, tmp_path):
    course, submitted, _, rows = graded
    again = grade(course, submitted, tmp_path / "again.csv", jobs=2, progress=False, record=True,
                  chapters=[CHAPTERS[1]])
    from nbgrader.api import Gradebook
    with Gradebook(gradebook.Course.read(course).db_url, course_id="nntrain") as gb:
        for chapter in CHAPTERS:             # one submission per student, as before
            assert sorted(s.student.id for s in gb.assignment_submissions(chapter)) == \
                sorted(r.student for r in rows if r.chapter == chapter)
    assert {(r.student, r.score) for r in again} == {(r.student, r.score) for r in rows if r.chapter == CHAPTERS[1]}


def test_feedback_goes_back_through_nbgraders_exchange(graded, tmp_path):
    course, _, _, _ = graded
    folder = course / "autograder" / "feedback" / "ada" / CHAPTERS[0]
    assert (folder / "timestamp.txt").is_file() and (folder / "submission_secret.txt").is_file()
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    nbgrader(course, "release_feedback", CHAPTERS[0], f"--Exchange.root={exchange}", "--student=ada")
    released = list(exchange.rglob("*.html"))
    assert len(released) == 1 and "Feedback: " + CHAPTERS[0] in released[0].read_text(encoding="utf-8")


def test_an_unreadable_submission_gets_a_page_that_says_why(graded):
    course, _, _, _ = graded
    page = (course / "autograder" / "feedback" / "dan" / CHAPTERS[1] / f"{CHAPTERS[1]}.html").read_text(encoding="utf-8")
    assert "could not be graded" in page and "unreadable" in page


def _scores(course: Path) -> dict:
    """(student, chapter, cell) -> (auto score, needs manual grade) of every graded cell."""
    from nbgrader.api import Gradebook
    with Gradebook(gradebook.Course.read(course).db_url, course_id="nntrain") as gb:
        return {(s.student.id, chapter, g.name): (g.auto_score, g.needs_manual_grade)
                for chapter in CHAPTERS for s in gb.assignment_submissions(chapter)
                for nb in s.notebooks for g in nb.grades}


def test_grading_one_student_leaves_every_other_row_as_it_was(graded, tmp_path):
    """`nntrain grade --student ben`: ben's rows are replaced in the CSVs and the gradebook;
    every other student's rows stay, byte for byte in the CSVs."""
    from nntrain.course.cli import main
    from nntrain.grading.results import per_test_csv_path
    course, submitted, out, _ = graded
    mine = tmp_path / "grades.csv"
    shutil.copy(out, mine)
    shutil.copy(per_test_csv_path(out), per_test_csv_path(mine))
    lines = mine.read_text(encoding="utf-8").splitlines()
    mine.write_text("\n".join(line.replace(",graded,", ",needs_review,") if line.startswith("ben,") else line
                              for line in lines) + "\n", encoding="utf-8")    # a stale row of ben's
    before, scores = mine.read_text(encoding="utf-8"), _scores(course)
    tests_before = per_test_csv_path(mine).read_text(encoding="utf-8")
    assert main(["--root", str(course), "grade", str(submitted), "--out", str(mine), "--student", "ben",
                 "--jobs", "2", "--quiet"]) == 0
    after = mine.read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if not line.startswith("ben,")] == \
        [line for line in before.splitlines() if not line.startswith("ben,")]
    assert [line for line in after.splitlines() if line.startswith("ben,")] == \
        [line for line in lines if line.startswith("ben,")], "ben's rows are graded again, as before"
    assert [line for line in per_test_csv_path(mine).read_text(encoding="utf-8").splitlines()
            if not line.startswith("ben,")] == [line for line in tests_before.splitlines() if not line.startswith("ben,")]
    now = _scores(course)
    assert {k: v for k, v in now.items() if k[0] != "ben"} == {k: v for k, v in scores.items() if k[0] != "ben"}
    assert {k: v for k, v in now.items() if k[0] == "ben"} == {k: v for k, v in scores.items() if k[0] == "ben"}
