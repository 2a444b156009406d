"""The student edition (`nntrain student-edition`): no answer in any file; it installs with
pip; run unsolved, every chapter shows its stored figures and fails only in its tests or with
"not solved yet".  (Solved, it runs top to bottom: tests/test_edition_solved.py, a file of its
own so that the two run on two workers at once.)"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nntrain.course import book, edition
from nntrain.course.notebook import nbgrader_meta
from tests.course import CHAPTERS, ROOT

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("edition") / "course"
    edition.build(ROOT, out, jobs=2, progress=lambda message: None)
    return out


@pytest.fixture(scope="module")
def site(built, tmp_path_factory):
    """The edition installed with pip (no dependencies) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                           "--disable-pip-version-check", "--target", str(target), str(built)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


# ------------------------------------------------------------------------------ no answer

def _code(line: str) -> str:
    """A line of code without its comment, stripped."""
    return re.sub(r"\s+#.*$", "", line).strip() if not line.strip().startswith("#") else ""


def _python_code(source: str) -> list:
    """The code lines of a Python source: no docstrings, no comments."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [_code(line) for line in source.splitlines()]
    docs = set()
    for node in [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]:
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            docs.update(range(first.lineno, first.end_lineno + 1))
    return [_code(line) if i not in docs else "" for i, line in enumerate(source.splitlines(), start=1)]


def _code_of(path: Path) -> set:
    """The lines of code a student can read in a file of the edition: a module's code, a
    notebook's code cells (the lecture's formulas in docstrings and markdown are not code)."""
    if path.suffix == ".py":
        return set(_python_code(path.read_text(encoding="utf-8")))
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return {line for cell in nb["cells"] if cell["cell_type"] == "code"
                for line in _python_code("".join(cell["source"]))}
    return set()


#: lines an answer shares with a lesson's own code, and why that gives nothing away
ALLOWED = {
    "lam, U = np.linalg.eigh(C)": "chapter 06's figure helper draws covariance ellipses with it; "
                                  "one NumPy call, not the whitening matrix",
}


def _text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


#: lines of a graded body that may stay: input validation and error messages, and lines too
#: plain to give anything away (a conversion, a loop header, a shape)
_PLAIN = re.compile(r"check_|as_float_array|as_int_array|_check|raise |Error\(|^f?\"|^\)|^if not callable|"
                    r"^return \w+$|^\w+ = np\.asarray\(\w+(, dtype=\w+)?\)$|^\w+ = \w+\.shape\[\d\]$|"
                    r"^for .+ in .+:$|^\w+=\w+\)?,?$")


def _meaningful(line: str) -> bool:
    return len(line) >= 16 and not _PLAIN.search(line) and re.search(r"[=+\-*/@(\[]", line) is not None


def _library_code() -> dict:
    """module -> (lines of its @reference bodies, lines of all its other code), instructor's library."""
    found = {}
    for path in sorted((ROOT / "lib" / "nntrain").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = _python_code(source)
        graded = set()
        for fn in ast.parse(source).body:
            if isinstance(fn, ast.FunctionDef) and edition._reference_name(fn) is not None:
                body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
                graded.update(range(body[0].lineno - 1, fn.end_lineno))
        found[path.name] = ({lines[i] for i in graded}, {l for i, l in enumerate(lines) if i not in graded})
    return found


def _shared() -> set:
    """Code lines of the library outside the graded bodies: a helper's, not an answer's."""
    return set().union(*(other for _, other in _library_code().values()))


def reference_body_lines() -> dict:
    """line -> where: the computing lines of every @reference body of the instructor's library
    that no other code of the library shares."""
    shared = _shared()
    return {line: module for module, (graded, _) in _library_code().items() for line in graded
            if _meaningful(line) and line not in shared}


def solution_lines() -> dict:
    """line -> where: the lines of every solution block of every chapter."""
    found = {}
    for chapter in CHAPTERS:
        nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or not nbgrader_meta(cell).get("solution"):
                continue
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
                    inside = "BEGIN" in line
                elif inside and _meaningful(_code(line)):
                    found[_code(line)] = f"{chapter}:{nbgrader_meta(cell).get('grade_id')}"
    shared = _shared()
    return {line: where for line, where in found.items() if line not in shared}


def test_the_checks_see_the_answers():
    refs, sols = reference_body_lines(), solution_lines()
    assert "m_next = beta1 * m + (1 - beta1) * grad" in refs
    assert len(refs) > 60 and len(sols) > 100, (len(refs), len(sols))


def test_no_answer_in_any_file(built):
    files = [p for p in built.rglob("*") if p.is_file()]
    names = {p.relative_to(built).parts[0] for p in files}
    assert not names & {"solutions", "tests", "benchmarks", "autograder", "edition"}, names
    assert not [p for p in files if p.suffix in (".db", ".pyc")]
    forbidden = {line: where for line, where in {**solution_lines(), **reference_body_lines()}.items()
                 if line not in ALLOWED}
    leaks = []
    for path in files:
        leaks += [f"{path.relative_to(built)}: marker {m}" for m in MARKERS if m in _text_of(path)]
        leaks += [f"{path.relative_to(built)}: {line!r} (from {forbidden[line]})"
                  for line in sorted(_code_of(path) & forbidden.keys())]
    assert not leaks, "\n".join(leaks[:40])


def test_graded_bodies_call_the_students_own(built):
    optim = (built / "lib" / "nntrain" / "optim.py").read_text(encoding="utf-8")
    assert 'return student.call("05_adam", "adam_step", w, grad, m, s, t, lr, beta1, beta2, eps, ' \
           'bias_correction)' in optim
    assert 'EDITION = "student"' in (built / "lib" / "nntrain" / "__init__.py").read_text(encoding="utf-8")
    assert not (built / "lib" / "nntrain" / "grading").exists()


def test_the_edition_is_a_course_of_its_own(built):
    for name in ("README.md", "GLOSSARY.md", "environment.yml", "pyproject.toml", "Makefile", "nbgrader_config.py"):
        assert (built / name).is_file(), name
    assert sorted(p.name for p in (built / "chapters").iterdir()) == CHAPTERS
    readme = (built / "README.md").read_text(encoding="utf-8")
    for words in ("Binder", "make lab", "Validate", "not solved yet", "Hand in"):
        assert words in readme, words
    assert "- ." in (built / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^lab:", (built / "Makefile").read_text(encoding="utf-8"), re.M)


def test_validate_runs_notebooks_with_the_course_kernel_client(built, site):
    """The Validate button runs a notebook with nbgrader's Execute, configured by the
    nbgrader_config.py of the folder JupyterLab started in: in the edition, that names the
    edition's own kernel client (nntrain.kernel), which cannot stall on a widget."""
    code = ("import nbformat, nntrain\n"
            "from nbgrader.preprocessors import Execute\n"
            "from traitlets.config.loader import PyFileConfigLoader\n"
            "execute = Execute(config=PyFileConfigLoader('nbgrader_config.py', path='.').load_config())\n"
            "execute.nb = nbformat.v4.new_notebook()\n"
            "client = execute.create_kernel_manager().client()\n"
            "print(type(client).__module__, nntrain.EDITION, nntrain.__file__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=built, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr[-2000:]
    module, build, path = done.stdout.split()
    assert (module, build) == ("nntrain.kernel", "student") and path.startswith(str(site)), done.stdout


# ------------------------------------------------------------------------------ chapters

def _images(cell) -> int:
    return sum(1 for o in cell.get("outputs", []) if any(t in o.get("data", {}) for t in book.IMAGE_TYPES))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_lesson_cell_carries_the_reference_outputs(built, chapter):
    nb = nbformat.read(built / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    released = nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in released.cells]
    for cell in nb.cells:
        if cell.cell_type == "code" and (nbgrader_meta(cell).get("solution") or nbgrader_meta(cell).get("grade")):
            assert not cell.outputs, "an exercise or test cell has outputs"
    assert sum(_images(c) for c in nb.cells if c.cell_type == "code") >= 1


def _run(nb, folder: Path, site: Path, allow_errors: bool):
    """Run a chapter of the edition in its folder, on the edition's library (installed in ``site``)."""
    env = {**os.environ, **book.KERNEL_ENV, "PYTHONPATH": str(site)}
    return book.run_cells(nb, str(folder), env, allow_errors=allow_errors)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_unsolved_chapter_fails_only_in_tests_or_not_solved_yet(built, site, chapter, tmp_path):
    course = tmp_path / "chapters"
    shutil.copytree(built / "chapters", course)
    folder = course / chapter
    nb = _run(nbformat.read(folder / f"{chapter}.ipynb", as_version=4), folder, site, allow_errors=True)
    unexpected = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if nbgrader_meta(cell).get("grade"):
            assert errors, f"test cell {i} passes on the unsolved chapter"
            continue
        for err in errors:            # the first lines say "not solved yet", no traceback before
            if "is not solved yet" not in "\n".join(err.traceback[:2]):
                unexpected.append(f"cell {i}: {err.ename}: {err.evalue[:200]}\n" + "\n".join(err.traceback)[-600:])
    assert not unexpected, "\n".join(unexpected)


def _paste_solutions(course: Path):
    """Every exercise of the edition's chapters solved with the reference solution, and saved."""
    for chapter in CHAPTERS:
        answers = {c.get("id"): c.source for c in nbformat.read(
            ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4).cells}
        path = course / chapter / f"{chapter}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
                cell.source = "\n".join(line for line in answers[cell.get("id")].splitlines()
                                        if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
        nbformat.write(nb, path)


# ------------------------------------------------------------------------------ the transform

SOURCE = '''"""A module."""
from .reference import reference


def _square(x):
    return x * x


def _validated(x):
    return float(x)


@reference("ema_update")
def ema_update(s, x, rho, *, extra=None, **more):
    """s_next = rho * s + (1 - rho) * x."""
    rho = _validated(rho)
    return rho * s + (1 - rho) * _square(x)


def public(x):
    return _validated(x)
'''


def test_student_source_replaces_the_graded_body_and_nothing_else():
    text = edition.student_source(SOURCE)
    assert 'return student.call("04_moving_averages", "ema_update", s, x, rho, extra=extra, **more)' in text
    assert '"""s_next = rho * s + (1 - rho) * x."""' in text           # the docstring stays
    assert "rho * s + (1 - rho)" not in text.split('"""s_next')[1].split('"""', 1)[1]
    assert "from .reference import reference\nfrom . import student\n" in text
    assert "def public(x):\n    return _validated(x)" in text
    pruned = edition._unused_private_functions({"m.py": text})["m.py"]
    assert "def _square" not in pruned and "def _validated" in pruned   # only what nothing uses goes
    compile(pruned, "m.py", "exec")


#: the private helpers a graded body may call: input validation and conversion only, which the
#: student build keeps for the library's other functions (the graded bodies are all replaced)
VALIDATION_HELPERS = {"_start", "_spd_eigenvalues", "_check_fans", "_check_norm_inputs", "_check_running",
                      "_check_linear", "_arrays", "_rate", "_eps", "_adam_hyper", "_check_data",
                      "_check_size", "_check_space", "_score"}


def test_graded_bodies_have_no_private_kernel():
    """Every graded function computes its answer in its own body (or calls other graded
    functions): no private helper holds a piece of an answer that the edition would ship."""
    kernels = []
    for path in sorted((ROOT / "lib" / "nntrain").glob("*.py")):
        for fn in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(fn, ast.FunctionDef) and edition._reference_name(fn):
                called = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call)
                          and isinstance(n.func, ast.Name) and n.func.id.startswith("_")}
                kernels += [f"{path.name}:{fn.name} calls {name}" for name in called - VALIDATION_HELPERS]
    assert not kernels, kernels
