"""The mutant harness sees what students see: its visible part of a test cell is exactly the
cell nbgrader releases to them."""
import nbformat
import pytest

from nntrain.course.notebook import nbgrader_meta
from tests import harness
from tests.harness import ROOT, visible_part
from tests.course import CHAPTERS



@pytest.mark.parametrize("chapter", CHAPTERS)
def test_visible_part_is_the_released_test_cell(chapter):
    released = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    student = {nbgrader_meta(c)["grade_id"]: c.source for c in released.cells if nbgrader_meta(c).get("grade")}
    solution = harness.test_cells(chapter)
    assert solution.keys() == student.keys()
    for gid, source in solution.items():
        assert visible_part(source).strip() == student[gid].strip(), gid
        assert "HIDDEN TESTS" not in visible_part(source)


def test_visible_part_removes_every_hidden_block():
    source = "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n    ### BEGIN HIDDEN TESTS\n    d\n    ### END HIDDEN TESTS\n"
    assert visible_part(source) == "a = 1\nc = 3\n"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_test_cell_reaches_its_own_function(chapter):
    """The spill check skips only cells that cannot reach a replaced function: a cell that
    does not even reach its own function would be skipped wrongly (or tests nothing)."""
    from nntrain.contract import CONTRACT
    for function in CONTRACT[chapter]:
        own = set(harness.test_cells(chapter, function))
        assert own and own <= harness.reached_by(chapter, [function]), function


def test_a_cell_reaches_what_the_solutions_it_calls_call():
    """adamw_step's solution calls adam_step: a replaced adam_step reaches adamw_step's test."""
    assert "test_adamw_step" in harness.reached_by("05_adam", ["adam_step"])
    assert "test_adam_step" not in harness.reached_by("05_adam", ["adamw_step"])
