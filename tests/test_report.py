"""The class report (nntrain.grading.report): totals, the LMS export, the most failed tests and
the summary page, from hand-made CSVs of 3 students and 2 chapters.  Fast, no kernel.

The class: chapter 01_sgd has tests t1 (1 point) and t2 (2), chapter 02_momentum m1 (2) and
m2 (2).  alice hands in both (02 flagged), bob only 01_sgd, and a student whose id holds
``<script>`` and a comma hands in 01_sgd and an unreadable 02_momentum."""
import csv
import re
from html.parser import HTMLParser

import pytest

from nntrain.grading import report

HOSTILE = "<script>alert(1)</script>,x"
LONG = "AssertionError: wrong step\n" + "x" * 200

# a column `late` in the middle and the columns in another order: read by name
GRADES = [
    ["chapter", "student", "late", "score", "max_score", "status", "reason", "tests"],
    ["01_sgd", "alice", "0", "3", "3", "graded", "", "t1=1/1 t2=2/2"],
    ["02_momentum", "alice", "1", "2", "4", "flagged", "rebinds np.allclose", "m1=2/2 m2=0/2"],
    ["01_sgd", "bob", "0", "1", "3", "graded", "", "t1=1/1 t2=0/2"],
    ["01_sgd", HOSTILE, "0", "2", "3", "graded", "", "t1=0/1 t2=2/2"],
    ["02_momentum", HOSTILE, "0", "0", "4", "unreadable", "invalid JSON", "m1=0/2 m2=0/2"],
]
TESTS = [
    ["student", "chapter", "test", "score", "max_score", "result", "message"],
    ["alice", "01_sgd", "t1", "1", "1", "passed", ""],
    ["alice", "01_sgd", "t2", "2", "2", "passed", ""],
    ["alice", "02_momentum", "m1", "2", "2", "passed", ""],
    ["alice", "02_momentum", "m2", "0", "2", "error", "AssertionError: wrong velocity"],
    ["bob", "01_sgd", "t1", "1", "1", "passed", ""],
    ["bob", "01_sgd", "t2", "0", "2", "error", LONG],
    [HOSTILE, "01_sgd", "t1", "0", "1", "error", "NameError: name 'w' is not defined"],
    [HOSTILE, "01_sgd", "t2", "2", "2", "passed", ""],
    [HOSTILE, "02_momentum", "m1", "0", "2", "not run", ""],
    [HOSTILE, "02_momentum", "m2", "0", "2", "not run", ""],
]


def _dicts(table):
    return [dict(zip(table[0], row)) for row in table[1:]]


def _write(path, table):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(table)


@pytest.fixture
def grades_csv(tmp_path):
    path = tmp_path / "grades.csv"
    _write(path, GRADES)
    _write(tmp_path / "grades_tests.csv", TESTS)
    return path


def test_student_totals_count_a_missing_chapter_as_zero_of_its_maximum():
    assert report.student_totals(_dicts(GRADES)) == [
        {"student": HOSTILE, "score": "2", "max_score": "7", "percent": "28.6", "handed_in": "2",
         "flagged": "0", "needs_review": "0", "unreadable": "1"},
        {"student": "alice", "score": "5", "max_score": "7", "percent": "71.4", "handed_in": "2",
         "flagged": "1", "needs_review": "0", "unreadable": "0"},
        {"student": "bob", "score": "1", "max_score": "7", "percent": "14.3", "handed_in": "1",
         "flagged": "0", "needs_review": "0", "unreadable": "0"},
    ]


def test_a_row_without_a_chapter_of_the_class_counts_only_in_the_status_counts():
    rows = _dicts(GRADES) + [{"student": "dave", "chapter": "?", "score": "0", "max_score": "0",
                              "status": "unreadable"}]
    assert report.lms_fields(rows) == ["student", "01_sgd", "02_momentum", "total"]
    assert report.student_totals(rows)[-1] == {
        "student": "dave", "score": "0", "max_score": "7", "percent": "0", "handed_in": "0",
        "flagged": "0", "needs_review": "0", "unreadable": "1"}
    assert report.lms_rows(rows)[-1] == {"student": "dave", "01_sgd": "", "02_momentum": "", "total": "0"}


def test_status_counts_list_every_status():
    assert report.status_counts(_dicts(GRADES)) == {"graded": 3, "flagged": 1, "needs_review": 0,
                                                    "unreadable": 1}


def test_failed_tests_are_ranked_by_share_and_leave_out_unreadable_submissions():
    rows = report.failed_tests(_dicts(GRADES), _dicts(TESTS))
    assert [(r["chapter"], r["test"], r["submissions"], r["failed"], r["share_failed"], r["mean_score"],
             r["max_score"]) for r in rows] == [
        ("02_momentum", "m2", "1", "1", "1", "0", "2"),
        ("01_sgd", "t1", "3", "1", "0.333", "0.667", "1"),
        ("01_sgd", "t2", "3", "1", "0.333", "1.333", "2"),
        ("02_momentum", "m1", "1", "0", "0", "2", "2"),
    ]
    assert rows[0]["message"] == "AssertionError: wrong velocity"
    assert rows[1]["message"] == "NameError: name 'w' is not defined"
    assert rows[2]["message"].startswith("AssertionError: wrong step xxx")   # one line
    assert len(rows[2]["message"]) == report.MESSAGE_CHARS and rows[2]["message"].endswith("...")
    assert rows[3]["message"] == ""


def test_the_most_common_failure_message_wins():
    tests = [{"student": s, "chapter": "c", "test": "t", "score": "0", "max_score": "1", "result": "error",
              "message": m} for s, m in [("a", "B: x"), ("b", "A: y"), ("c", "B: x"), ("d", "")]]
    tests.append({"student": "e", "chapter": "c", "test": "t", "score": "1", "max_score": "1",
                  "result": "passed", "message": "A: y"})
    (row,) = report.failed_tests([], tests)
    assert (row["submissions"], row["failed"], row["share_failed"], row["message"]) == ("5", "4", "0.8", "B: x")


def test_histogram_bins_cover_zero_to_the_maximum():
    assert [b.count for b in report.histogram([3, 1, 2, 2.5], 3)] == [0, 1, 2, 1]
    bins = report.histogram([0, 2.5, 1.25, 1.2], 2.5)      # not a whole number: 10 equal bars
    assert len(bins) == 10 and [b.count for b in bins] == [1, 0, 0, 0, 1, 1, 0, 0, 0, 1]
    assert bins[0].lo == 0 and bins[-1].hi == pytest.approx(2.5)
    assert [b.count for b in report.histogram([0, 0], 0)] == [2]


def _read_lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_write_report_writes_the_four_files_beside_the_grades(grades_csv):
    paths = report.write_report(grades_csv)
    assert paths == report.report_paths(grades_csv)
    assert [p.name for p in paths] == ["grades_students.csv", "grades_lms.csv", "grades_tests_failed.csv",
                                       "grades_summary.html"]
    assert sorted(p.name for p in grades_csv.parent.iterdir()) == sorted(
        ["grades.csv", "grades_tests.csv", *(p.name for p in paths)])      # no temporary file left
    assert _read_lines(paths.lms) == ["student,01_sgd,02_momentum,total", '"<script>alert(1)</script>,x",2,0,2',
                                      "alice,3,2,5", "bob,1,,1"]
    assert _read_lines(paths.students)[:2] == [
        "student,score,max_score,percent,handed_in,flagged,needs_review,unreadable",
        '"<script>alert(1)</script>,x",2,7,28.6,2,0,0,1']
    with open(paths.tests_failed, newline="", encoding="utf-8") as f:
        failed = list(csv.DictReader(f))
    assert list(failed[0]) == report.FAILED_FIELDS
    assert [(r["chapter"], r["test"], r["share_failed"]) for r in failed] == [
        ("02_momentum", "m2", "1"), ("01_sgd", "t1", "0.333"), ("01_sgd", "t2", "0.333"), ("02_momentum", "m1", "0")]


def test_write_report_without_a_per_test_csv(grades_csv):
    (grades_csv.parent / "grades_tests.csv").unlink()
    paths = report.write_report(grades_csv)
    assert _read_lines(paths.tests_failed) == [",".join(report.FAILED_FIELDS)]
    assert "No test failed." in paths.summary.read_text(encoding="utf-8")


class _Page(HTMLParser):
    """The SVGs of a page (their label and bars' counts) and every tag and attribute."""

    def __init__(self):
        super().__init__()
        self.svgs, self.tags, self.attrs = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "svg":
            self.svgs.append((attrs.get("aria-label"), []))
        elif tag == "rect" and "bar" in (attrs.get("class") or ""):
            self.svgs[-1][1].append(int(attrs["data-count"]))


def test_summary_page_escapes_everything_and_draws_one_histogram_per_chapter(grades_csv):
    text = report.write_report(grades_csv).summary.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;,x" in text
    page = _Page()
    page.feed(text)
    assert "script" not in page.tags
    assert not {"src", "href"} & set(page.attrs)                 # self-contained
    assert not [a for a in page.attrs if a.startswith("on")]   # no event handlers
    assert page.svgs == [("Scores of 01_sgd", [0, 1, 1, 1]), ("Scores of 02_momentum", [1, 0, 1, 0, 0])]
    per_chapter = {"01_sgd": 3, "02_momentum": 2}                # submissions, the unreadable one included
    for label, counts in page.svgs:
        assert sum(counts) == per_chapter[label.removeprefix("Scores of ")]
    assert "3 submission(s), mean 2.00, median 2 of 3" in text
    assert "2 submission(s), mean 1.00, median 1 of 4" in text
    # the most failed tests: the failing ones, most failed first
    failed_section = text.split("<h2>Most failed tests</h2>")[1]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", failed_section)
    assert cells[:2] == ["02_momentum", "m2"] and "m1" not in cells
    assert text.count("<tr class='look'>") == 2                  # alice (flagged) and the unreadable one


def test_summary_page_escapes_hostile_chapter_test_ids_and_messages():
    grades = [{"student": "s", "chapter": "<b>c</b>", "score": "0", "max_score": "1", "status": "graded"}]
    tests = [{"student": "s", "chapter": "<b>c</b>", "test": "<i>t</i>", "score": "0", "max_score": "1",
              "result": "error", "message": "<img src=x onerror=alert(1)>"}]
    text = report.render_html(grades, tests, "<title>")
    page = _Page()
    page.feed(text)
    assert not {"b", "i", "img"} & set(page.tags) and "onerror" not in page.attrs
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;i&gt;t&lt;/i&gt;" in text
