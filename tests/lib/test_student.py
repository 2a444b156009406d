"""nntrain.student: the student's own functions, read from their saved chapter notebooks."""
import os

import nbformat
import numpy as np
import pytest

from nntrain import student
from nntrain.student import NotSolvedError, SolutionError

STUB = "    raise NotImplementedError()\n"


def _cell(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "locked": False,
                                     "solution": False, **nbgrader}
    return cell


def write_chapter(course, chapter="05_demo", double=STUB, triple=STUB, extra=None):
    """A chapter notebook as the edition ships it, with the given bodies of its exercises."""
    cells = [
        _cell("import numpy as np\nfrom nntrain import plot\nplot.style()\nprint('set-up ran')\n",
              grade_id="setup", locked=True),
        nbformat.v4.new_markdown_cell("### Exercise 1: `double`\n\nTwice x."),
        _cell("def double(x):\n    '''2 x'''\n" + double, grade_id="double", solution=True),
        _cell("assert double(1) == 2\n", grade_id="test_double", grade=True, locked=True, points=1),
        nbformat.v4.new_markdown_cell("### Exercise 2: `triple`"),
        _cell("def triple(x):\n" + triple, grade_id="triple", solution=True),
        _cell("raise RuntimeError('a demo cell must not run')\n"),
    ] + (extra or [])
    path = course / chapter / f"{chapter}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    os.utime(path, ns=(os.stat(path).st_mtime_ns + 10 ** 9,) * 2)   # a later save, whatever the clock
    return path


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course folder; the kernel runs in another chapter's folder of it."""
    (tmp_path / "10_later").mkdir()
    monkeypatch.chdir(tmp_path / "10_later")
    monkeypatch.delenv(student.ENV, raising=False)
    return tmp_path


def test_a_solved_exercise_is_the_students_own_function(course):
    write_chapter(course, double="    return np.multiply(2, x)\n")
    double = student.solution("05_demo", "double")
    np.testing.assert_array_equal(double(np.array([1.0, 3.0])), [2.0, 6.0])
    assert double.__doc__ == "2 x"


def test_an_unsolved_exercise_says_which_function_chapter_and_exercise(course):
    write_chapter(course)
    with pytest.raises(NotSolvedError, match=r"^triple \(chapter 05_demo\) is not solved yet: solve exercise 2 there"):
        student.solution("05_demo", "triple")(1)
    assert issubclass(NotSolvedError, NotImplementedError)


def test_an_unsolved_earlier_exercise_is_named_when_a_later_one_calls_it(course):
    write_chapter(course, triple="    return double(x) + x\n")
    with pytest.raises(NotSolvedError, match=r"^double \(chapter 05_demo\) is not solved yet: solve exercise 1"):
        student.solution("05_demo", "triple")(1)


def test_a_saved_edit_is_used_at_the_next_call(course):
    write_chapter(course, double="    return 2 * x\n")
    assert student.solution("05_demo", "double")(2) == 4
    write_chapter(course, double="    return x + x + 1\n")
    assert student.solution("05_demo", "double")(2) == 5


def test_a_missing_notebook_or_function_is_not_solved(course):
    with pytest.raises(NotSolvedError, match=r"double \(chapter 05_demo\) is not solved yet: no notebook 05_demo/05_demo.ipynb"):
        student.solution("05_demo", "double")
    write_chapter(course)
    with pytest.raises(NotSolvedError, match="defines no function quadruple"):
        student.solution("05_demo", "quadruple")


def test_a_broken_solution_cell_names_the_chapter_and_cell(course):
    write_chapter(course, double="    return 2 * \n")
    with pytest.raises(SolutionError, match=r"chapter 05_demo could not run \(.*cell double\): SyntaxError"):
        student.solution("05_demo", "double")


def test_only_imports_of_the_set_up_and_the_solution_cells_run(course, capsys):
    write_chapter(course, double="    return 2 * x\n")
    assert student.solution("05_demo", "double")(3) == 6
    assert "set-up ran" not in capsys.readouterr().out


def test_the_course_folder_can_be_named_by_the_environment(tmp_path, monkeypatch):
    write_chapter(tmp_path / "elsewhere", double="    return 2 * x\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(student.ENV, str(tmp_path / "elsewhere"))
    assert student.solution("05_demo", "double")(1) == 2


def test_the_current_folder_is_searched_too(tmp_path, monkeypatch):
    monkeypatch.delenv(student.ENV, raising=False)
    write_chapter(tmp_path, double="    return 2 * x\n")
    monkeypatch.chdir(tmp_path)
    assert student.find_notebook("05_demo") == tmp_path / "05_demo" / "05_demo.ipynb"
    assert student.solution("05_demo", "double")(4) == 8


# ---------------------------------------------------------------- call, and the notebook's errors

def test_call_runs_the_students_function(course):
    write_chapter(course, double="    return 2 * x\n")
    assert student.call("05_demo", "double", 21) == 42


def test_a_function_that_calls_the_library_version_of_itself_is_stopped(course):
    # in the student edition the library's double IS the student's: calling it would recurse
    write_chapter(course, double="    from nntrain import student\n"
                                 "    return student.call('05_demo', 'double', x)\n")
    with pytest.raises(student.DelegatedToItselfError, match="calls nntrain's double, which in the student "
                                                              "edition is your own double"):
        student.call("05_demo", "double", 1)
    assert not student._running                      # nothing is left marked as running


def _raised(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001
        return exc, exc.__traceback__
    raise AssertionError("did not raise")


def test_the_unsolved_message_names_the_notebooks_stub(course, monkeypatch):
    write_chapter(course, chapter="05_demo")
    monkeypatch.chdir(course / "05_demo")             # the kernel runs in the chapter's folder
    namespace = {}
    exec(compile("def triple(x):\n    raise NotImplementedError()\n", "/tmp/ipykernel_1/2.py", "exec"), namespace)
    message = student.unsolved_message(*_raised(namespace["triple"], 1))
    assert message.startswith("triple (chapter 05_demo) is not solved yet: solve exercise 2 of this notebook")
    # a NotImplementedError with a message is the code's own, not a stub
    exec(compile("def other(x):\n    raise NotImplementedError('mode 3')\n", "/tmp/ipykernel_1/3.py", "exec"),
         namespace)
    assert student.unsolved_message(*_raised(namespace["other"], 1)) is None
    assert student.unsolved_message(*_raised(lambda: 1 / 0)) is None


def test_friendly_errors_does_nothing_outside_ipython():
    assert student.friendly_errors() is None
