"""`nntrain release` keeps chapters/ in sync with solutions/, byte-stably, and the student
versions behave as nbgrader expects.  (How an unsolved chapter runs on the student build of
the library is tests/test_edition.py's.)"""
import shutil

import pytest

from nntrain.course.layout import nbgrader
from nntrain.course.release import generate, release
from tests.course import CHAPTERS, ROOT


pytestmark = pytest.mark.slow


def test_committed_chapters_are_up_to_date():
    stale = release(ROOT, check_only=True)
    assert not stale, f"chapters/ is out of date for {stale}: run `nntrain release` and commit"


def test_chapters_have_no_extra_folders():
    released = sorted(p.name for p in (ROOT / "chapters").iterdir() if p.is_dir())
    assert released == CHAPTERS


def test_generation_is_byte_stable(tmp_path):
    for chapter in CHAPTERS[:2]:
        a = generate(ROOT, chapter, tmp_path / "a")
        b = generate(ROOT, chapter, tmp_path / "b")
        assert (a / f"{chapter}.ipynb").read_bytes() == (b / f"{chapter}.ipynb").read_bytes()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_hides_solutions_and_hidden_tests(chapter):
    text = (ROOT / "chapters" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in text


def test_nbgrader_validate_accepts_solution_and_rejects_student_version():
    from nbgrader.validator import Validator
    chapter = CHAPTERS[0]
    assert Validator().validate(str(ROOT / "solutions" / chapter / f"{chapter}.ipynb")) == {}
    inverted = Validator(invert=True).validate(str(ROOT / "chapters" / chapter / f"{chapter}.ipynb"))
    assert inverted == {}, "the unsolved student version must fail its tests"


def test_nbgrader_command_line_works_with_the_checked_in_config(tmp_path):
    chapter = CHAPTERS[0]
    proc = nbgrader(ROOT, "generate_assignment", chapter, "--force",
                    f"--CourseDirectory.release_directory={tmp_path}", check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / chapter / f"{chapter}.ipynb").is_file()
    assert not (ROOT / "gradebook.db").exists(), "a stray gradebook.db in the course root"
