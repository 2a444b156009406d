"""`nntrain grade` round trip: solutions score full marks, unsolved versions 0, one wrong
function loses exactly its exercise's points; broken submissions are reported, never crash
the batch; the CSVs and the feedback hold what they should."""
import csv
import json
import shutil

import nbformat
import pytest

from nntrain.course.notebook import nbgrader_meta as _meta
from nntrain.grading.execute import Limits
from nntrain.grading.grade import grade
from nntrain.grading.results import per_test_csv_path
from nntrain.contract import CONTRACT
from tests.course import CHAPTERS, released as _student, ROOT, solution as _solution


pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")]


def _points(chapter):
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in _solution(chapter).cells
            if _meta(c).get("grade")}


def _put(folder, student, chapter, nb_or_text, name=None):
    path = folder / student / chapter / (name or f"{chapter}.ipynb")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nb_or_text if isinstance(nb_or_text, str) else nbformat.writes(nb_or_text)
    path.write_text(text, encoding="utf-8")


def _one_wrong(chapter):
    """The solution with the last graded function replaced by the student version's stub
    (the last one: earlier exercises may be used by later ones, never the other way)."""
    fn = CONTRACT[chapter][-1]
    stub = next(c.source for c in _student(chapter).cells if _meta(c).get("grade_id") == fn)
    nb = _solution(chapter)
    for cell in nb.cells:
        if _meta(cell).get("grade_id") == fn:
            cell.source = stub
    return nb, fn


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    sub = tmp_path_factory.mktemp("submitted")
    expected = {}
    for chapter in CHAPTERS:
        points = _points(chapter)
        total = sum(points.values())
        _put(sub, "ada_solution", chapter, _solution(chapter))
        expected[("ada_solution", chapter)] = (total, "graded")
        _put(sub, "ben_blank", chapter, _student(chapter))
        expected[("ben_blank", chapter)] = (0.0, "graded")
        nb, fn = _one_wrong(chapter)
        _put(sub, "cai_one_wrong", chapter, nb)
        lost = sum(p for g, p in points.items() if g == f"test_{fn}" or g.startswith(f"test_{fn}__"))
        expected[("cai_one_wrong", chapter)] = (total - lost, "graded")

    chapter = CHAPTERS[0]
    points = _points(chapter)
    total = sum(points.values())
    # a deleted test cell is put back and still counts (the rest solved)
    nb = _solution(chapter)
    first_test = next(i for i, c in enumerate(nb.cells) if _meta(c).get("grade"))
    del nb.cells[first_test]
    _put(sub, "dan_deleted_test", chapter, nb)
    expected[("dan_deleted_test", chapter)] = (total, "graded")
    # an edited test cell (assertions removed, points raised) runs as the original
    nb = _one_wrong(chapter)[0]
    for cell in nb.cells:
        if _meta(cell).get("grade"):
            cell.source = "pass"
            cell.metadata["nbgrader"]["points"] = 100
    _put(sub, "eve_edited_tests", chapter, nb)
    expected[("eve_edited_tests", chapter)] = (expected[("cai_one_wrong", chapter)][0], "graded")
    # invalid JSON and an empty file: unreadable, reported
    _put(sub, "fay_invalid_json", chapter, '{"cells": [')
    expected[("fay_invalid_json", chapter)] = (0.0, "unreadable")
    _put(sub, "gus_empty", chapter, "")
    expected[("gus_empty", chapter)] = (0.0, "unreadable")
    # the kernel dies in the last solution cell: earlier exercises keep their points
    nb = _solution(chapter)
    sol_cells = [c for c in nb.cells if _meta(c).get("solution")]
    sol_cells[-1].source += "\nimport os\nos._exit(3)\n"
    _put(sub, "hal_kernel_dies", chapter, nb)
    last_fn = _meta(sol_cells[-1])["grade_id"]
    lost = sum(p for g, p in points.items() if g == f"test_{last_fn}" or g.startswith(f"test_{last_fn}__"))
    expected[("hal_kernel_dies", chapter)] = (total - lost, "needs_review")
    # an endless loop in the last graded function: its tests hit the cell time limit,
    # every later exercise is still graded, and a person should look (needs_review)
    nb, fn = _one_wrong(chapter)
    next(c for c in nb.cells if _meta(c).get("grade_id") == fn).source = (
        f"def {fn}(*args, **kwargs):\n    while True:\n        pass\n")
    _put(sub, "ivy_endless_loop", chapter, nb)
    expected[("ivy_endless_loop", chapter)] = (expected[("cai_one_wrong", chapter)][0], "needs_review")
    # code that rebinds the checking machinery is flagged for a person to review
    nb = _solution(chapter)
    nb.cells.append(nbformat.v4.new_code_cell("import numpy as np\nnp.allclose = lambda *a, **k: True"))
    _put(sub, "kim_tampers", chapter, nb)
    expected[("kim_tampers", chapter)] = (total, "flagged")
    # wrong file name: graded, with a note
    _put(sub, "jo_renamed", chapter, _solution(chapter), name="my work.ipynb")
    expected[("jo_renamed", chapter)] = (total, "graded")

    out = tmp_path_factory.mktemp("out") / "grades.csv"
    feedback = tmp_path_factory.mktemp("feedback")
    # ivy's endless loop waits out the cell limit in each test cell of its function; the
    # slowest cell of a correct notebook here takes 0.4 s alone, so 6 s leaves room for a
    # loaded machine
    rows = grade(ROOT, sub, out, feedback=feedback, limits=Limits(cell_timeout=6), jobs=2,
                 progress=False)
    return {"rows": rows, "out": out, "feedback": feedback, "expected": expected, "sub": sub}


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_submission_gets_the_score_it_deserves(graded):
    got = {(r["student"], r["chapter"]): (float(r["score"]), r["status"]) for r in _csv(graded["out"])}
    for key, (score, status) in graded["expected"].items():
        assert got[key] == (score, status), f"{key}: expected {(score, status)}, got {got[key]}"


def test_time_limit_is_reported(graded):
    row = next(r for r in _csv(graded["out"]) if r["student"] == "ivy_endless_loop")
    assert "time limit" in row["reason"]


def test_csv_has_the_contract_columns_and_one_row_per_submission(graded):
    rows = _csv(graded["out"])
    assert list(rows[0].keys())[:4] == ["student", "chapter", "score", "max_score"]
    assert len(rows) == len({(r["student"], r["chapter"]) for r in rows}) == len(graded["rows"])
    for r in rows:
        if r["chapter"] in CHAPTERS:
            assert float(r["max_score"]) == sum(_points(r["chapter"]).values())
    notes = {r["student"]: r["reason"] for r in rows}
    assert "my work.ipynb" in notes["jo_renamed"]
    assert "kernel died" in notes["hal_kernel_dies"]
    assert "np.allclose" in notes["kim_tampers"]


def test_per_test_csv_sums_to_the_score(graded):
    per_test = _csv(per_test_csv_path(graded["out"]))
    for r in _csv(graded["out"]):
        mine = [t for t in per_test if t["student"] == r["student"] and t["chapter"] == r["chapter"]]
        assert abs(sum(float(t["score"]) for t in mine) - float(r["score"])) < 1e-9


def test_feedback_is_written_and_never_shows_hidden_tests(graded):
    for chapter in CHAPTERS:
        for student in ("ada_solution", "ben_blank"):
            html = (graded["feedback"] / student / chapter / f"{chapter}.html").read_text(encoding="utf-8")
            assert "Score:" in html
            assert "BEGIN HIDDEN TESTS" not in html and "END HIDDEN TESTS" not in html
        html = (graded["feedback"] / "ben_blank" / chapter / f"{chapter}.html").read_text(encoding="utf-8")
        assert "not implemented yet" in html


def test_regrading_is_idempotent(graded, tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(graded["sub"] / "ada_solution", sub / "ada_solution")
    out = tmp_path / "g.csv"
    grade(ROOT, sub, out, feedback=tmp_path / "fb", chapters=[CHAPTERS[0]], progress=False)
    first = out.read_text()
    grade(ROOT, sub, out, feedback=tmp_path / "fb", chapters=[CHAPTERS[0]], progress=False)
    assert out.read_text() == first


def test_cli_exit_codes(tmp_path):
    from nntrain.course.cli import main
    assert main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty"), "--out", str(tmp_path / "g.csv"), "--quiet"]) == 0
    assert _csv(tmp_path / "g.csv") == []


def test_an_interrupted_regrade_leaves_no_stale_scores(graded, tmp_path, monkeypatch):
    import nntrain.grading.grade as G
    sub = tmp_path / "sub"
    for student in ("ada_solution", "ben_blank"):
        shutil.copytree(graded["sub"] / student, sub / student)
    out = tmp_path / "g.csv"
    # a previous run's grades: of the chapter graded again, and of another one
    out.write_text(f"student,chapter,score\nben_blank,{CHAPTERS[0]},99\nben_blank,other,7\n")

    def fake_grade_one(s, master, *args, **kwargs):
        if s.student == "ben_blank":
            raise KeyboardInterrupt
        return G.Row(s.student, s.chapter, score=1.0, max_score=master.max_score)

    monkeypatch.setattr(G, "grade_one", fake_grade_one)
    with pytest.raises(KeyboardInterrupt):
        grade(ROOT, sub, out, feedback=tmp_path / "fb", chapters=[CHAPTERS[0]], jobs=1, progress=False)
    rows = {(r["student"], r["chapter"]): r for r in _csv(out)}
    ada, ben = rows["ada_solution", CHAPTERS[0]], rows["ben_blank", CHAPTERS[0]]
    assert ada["status"] == "graded" and ada["score"] == "1"
    assert ben["status"] == "needs_review" and ben["score"] == "0"
    assert "not graded" in ben["reason"]
    assert "99" not in out.read_text()
    assert rows["ben_blank", "other"]["score"] == "7", "a chapter this run did not grade keeps its row"
