"""The repository fits together: dependencies agree, notebooks are clean, every graded
function has a reference, every chapter follows the template's grading conventions."""
import re

import nbformat
import pytest

import nntrain  # noqa: F401  (imports every module through the references below)
from nntrain import (data, ema, gradcheck, init, layers, losses, optim, preprocess,  # noqa: F401
                     functions, tuning)
from nntrain.course.notebook import dumps, normalize
from nntrain.contract import CONTRACT
from nntrain.reference import REFERENCES
from tests.course import CHAPTERS, ROOT



def _names(spec):
    return re.split(r"[<>=!~ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_deps():
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return {_names(d): re.sub(r"\s", "", d[len(_names(d)):]).replace("==", "=") for d in deps}


def _environment_deps():
    deps = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z0-9_.\-]+)(.*)$", line)
        if m and m.group(1) not in ("python", "pip"):
            deps[m.group(1).lower().replace("_", "-")] = m.group(2).replace(" ", "")
    return deps


def test_environment_yml_and_pyproject_declare_the_same_packages():
    assert _environment_deps() == _pyproject_deps()


def test_every_graded_function_has_a_library_reference():
    missing = [n for names in CONTRACT.values() for n in names if n not in REFERENCES]
    assert not missing


def test_ci_runs_exactly_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "set -e" in script


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_notebook_is_committed_clean(chapter):
    path = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs committed"
    assert dumps(normalize(nb)) == text, f"run `nntrain normalize {path.relative_to(ROOT)}`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_follows_the_grading_template(chapter):
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    solutions = [m["grade_id"] for m in meta if m.get("solution")]
    tests = [m["grade_id"] for m in meta if m.get("grade")]
    assert chapter in CONTRACT, f"{chapter} is not a chapter of the contract"
    assert sorted(solutions) == sorted(CONTRACT[chapter]), "one solution cell per graded function"
    assert len(tests) >= 3, "at least three graded test cells"
    for fn in CONTRACT[chapter]:
        assert any(t == f"test_{fn}" or t.startswith(f"test_{fn}__") for t in tests), f"no test for {fn}"
    for cell, m in zip(nb.cells, meta):
        if m.get("grade"):
            assert m.get("locked") and m.get("points", 0) > 0
            visible, hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1) if "### BEGIN HIDDEN TESTS" \
                in cell.source else (cell.source, "")
            assert hidden, f"{m['grade_id']} has no hidden tests"
            assert re.search(r"\bpassed\(", visible), (
                f"{m['grade_id']}: the visible part must end with nntrain.testing.passed(...), which "
                "tells the student that grading repeats these checks on more inputs")
            assert not re.search(r"\breference_\w+|\bREFERENCES\b|builds_on=\{", visible), (
                f"{m['grade_id']}: the visible part uses the library's reference, which in the student "
                "edition is the student's own code: use literal values, closed forms or properties, "
                "correct_versions(...) for builds_on, and import references in the hidden part")
        if m.get("solution"):
            assert "### BEGIN SOLUTION" in cell.source
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata.get("nbgrader", {}).get("grade_id") == "setup"
    assert "student.friendly_errors()" in first_code.source, (
        "the set-up cell calls nntrain.student.friendly_errors(): an unsolved exercise says so in one line")
    titles = [c.source for c in nb.cells if c.cell_type == "markdown"]
    exercises = next(t for t in titles if t.startswith("## Exercises"))
    assert "**How your work is graded.**" in exercises, "the Exercises introduction says how grading works"
    for heading in ("## Learning goals", "## Exercises", "## Your code in action", "## Summary",
                    "## References"):
        assert any(heading in t for t in titles), f"missing section {heading!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_mutant_tests(chapter):
    assert (ROOT / "tests" / "mutants" / f"test_{chapter}.py").is_file()
