"""The student edition: the course as a class receives it, with every lesson and no answer.

    nntrain student-edition OUT [--jobs 2]          (make student-edition: build/student-edition/)

What goes where::

    solutions/<id>/<id>.ipynb --run once (book.executed, cached)--> the outputs of the reference run
    chapters/<id>/<id>.ipynb  (what nbgrader releases) + those outputs  --> OUT/chapters/<id>/<id>.ipynb
    lib/nntrain/*.py  --student_source: each @reference body calls the student's own-->  OUT/lib/nntrain/
    book/glossary.csv --> OUT/GLOSSARY.md;   edition/* (README, environment.yml, ...) --> OUT/

The outputs are copied onto every cell that is neither an exercise nor a test, matched by
cell id, so a student sees every figure before writing any code; exercise and test cells
have none.  In the library, the body of every function marked ``@reference`` becomes one
call of :func:`nntrain.student.call`, which runs the student's function from their saved
chapter notebook; private helpers that only those bodies used are left out, and so are the
instructor's tools (the packages ``grading`` and ``course``: grading, release, the book, this
module, the command line).
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import nbformat

from ..contract import CONTRACT
from . import glossary
from .book import WIDGET, executed
from .layout import resolve_chapters
from .notebook import nbgrader_meta

__all__ = ["build", "student_source", "EXCLUDED", "TEMPLATES"]

#: parts of the library that stay with the instructor
EXCLUDED = ("grading", "course", "__pycache__")
#: the edition's own files, copied from ROOT/edition/
TEMPLATES = ("README.md", "environment.yml", "pyproject.toml", "Makefile", ".gitignore",
             "nbgrader_config.py")

_CHAPTER_OF = {name: chapter for chapter, names in CONTRACT.items() for name in names}


class EditionError(RuntimeError):
    """The edition could not be built consistently (the message says why)."""


# ------------------------------------------------------------------------------ library

def _reference_name(fn: ast.FunctionDef) -> str | None:
    """The contract name of a function decorated ``@reference("name")``, else None."""
    for dec in fn.decorator_list:
        if (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name) and dec.func.id == "reference"
                and dec.args and isinstance(dec.args[0], ast.Constant)):
            return dec.args[0].value
    return None


def _forwarding_call(fn: ast.FunctionDef, name: str) -> str:
    """``student.call("<chapter>", "<name>", <the function's own arguments>)``."""
    a = fn.args
    parts = [p.arg for p in a.posonlyargs + a.args]
    if a.vararg:
        parts.append(f"*{a.vararg.arg}")
    parts += [f"{p.arg}={p.arg}" for p in a.kwonlyargs]
    if a.kwarg:
        parts.append(f"**{a.kwarg.arg}")
    return f'student.call("{_CHAPTER_OF[name]}", "{name}", {", ".join(parts)})'


def _replace_bodies(source: str) -> str:
    """Every ``@reference`` function of ``source`` with its body (after the docstring)
    replaced by a call of the student's own function."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or (name := _reference_name(fn)) is None:
            continue
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
        start, end = body[0].lineno - 1, fn.end_lineno
        indent = " " * body[0].col_offset
        edits.append((start, end, [
            f"{indent}# The student's own {name}: the solution cells of chapter {_CHAPTER_OF[name]}, as saved.\n",
            f"{indent}return {_forwarding_call(fn, name)}\n"]))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    text = "".join(lines)
    if edits and "from . import student" not in text:
        text = re.sub(r"^(from \.reference import [^\n]+\n)", r"\1from . import student\n", text,
                      count=1, flags=re.M)
    return text


def _unused_private_functions(sources: dict) -> dict:
    """``sources`` without the private top-level functions (``_name``) that nothing in the
    package uses any more, repeated until none is left."""
    while True:
        removed = False
        everything = "\n".join(sources.values())
        for path, text in sources.items():
            tree = ast.parse(text)
            lines = text.splitlines(keepends=True)
            dead = [fn for fn in tree.body if isinstance(fn, ast.FunctionDef) and fn.name.startswith("_")
                    and not fn.name.startswith("__")
                    and len(re.findall(rf"\b{fn.name}\b", everything)) == 1]
            for fn in sorted(dead, key=lambda f: f.lineno, reverse=True):
                start = (fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno) - 1
                end = fn.end_lineno
                while end < len(lines) and not lines[end].strip():
                    end += 1                                   # the blank lines after it
                lines[start:end] = []
                removed = True
            sources[path] = "".join(lines)
        if not removed:
            return sources


def student_source(source: str) -> str:
    """One module of the student build (see :func:`student_library`)."""
    text = _replace_bodies(source)
    return re.sub(r'^EDITION = "instructor"$', 'EDITION = "student"', text, flags=re.M)


def student_library(lib: Path) -> dict:
    """relative path -> text of every module of the student build of the package at ``lib``."""
    sources = {}
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib)
        if rel.parts[0] in EXCLUDED:
            continue
        sources[rel.as_posix()] = student_source(path.read_text(encoding="utf-8"))
    return _unused_private_functions(sources)


def _write_library(root: Path, out: Path):
    lib = root / "lib" / "nntrain"
    target = out / "lib" / "nntrain"
    for rel, text in student_library(lib).items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, encoding="utf-8")
    for data in sorted((lib / "data").glob("*")):
        if data.suffix in (".gz", ".md"):
            (target / "data").mkdir(parents=True, exist_ok=True)
            shutil.copy2(data, target / "data" / data.name)


# ------------------------------------------------------------------------------ chapters

def with_outputs(released, executed_nb, chapter: str):
    """The released notebook, in place, with the outputs of the executed solution notebook
    on every cell that is neither an exercise nor a test (widgets left out)."""
    runs = {cell.get("id"): cell for cell in executed_nb.cells}
    for cell in released.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        cell.outputs, cell.execution_count = [], None
        if meta.get("solution") or meta.get("grade"):
            continue
        run = runs.get(cell.get("id"))
        if run is None or run.source != cell.source:
            raise EditionError(f"{chapter}: cell {cell.get('id')} of chapters/ does not match the "
                               f"solution notebook (run `nntrain release`)")
        cell.outputs = [o for o in run.outputs if WIDGET not in o.get("data", {})]
        cell.execution_count = run.get("execution_count")
    released.metadata.pop("widgets", None)
    return released


def _write_chapter(root: Path, out: Path, chapter: str, executed_nb):
    source = root / "chapters" / chapter
    target = out / "chapters" / chapter
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.name == f"{chapter}.ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.write(with_outputs(nb, executed_nb, chapter), target / path.name)
        elif path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, target / path.name)


# ------------------------------------------------------------------------------ the whole

def glossary_markdown(root: Path) -> str:
    """The glossary as a Markdown table (English, 中文, where it is introduced)."""
    terms = glossary.load(glossary.path(root))
    rows = ["# Glossary (术语表)", "",
            "Every technical term of the book with its Chinese name, in the order of the book.", "",
            "| English | 中文 | symbol | first in chapter |", "|---|---|---|---|"]
    rows += [f"| {t.term} | {t.zh} | {t.symbol} | {t.chapter} |" for t in terms]
    return "\n".join(rows) + "\n"


def _clear(out: Path):
    """Empty ``out`` (it must be empty or an earlier edition: it holds chapters/ then)."""
    if out.exists():
        if any(out.iterdir()) and not (out / "chapters").is_dir():
            raise EditionError(f"{out} is neither empty nor an earlier student edition; not touching it")
        for child in out.iterdir():
            if child.name == ".git":
                continue                      # the edition's own repository stays
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def build(root: Path, out: Path, jobs: int = 2, progress=print) -> list:
    """Write the student edition of the course at ``root`` into ``out``; return the chapters."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if out == root or root in out.parents and out.parts[len(root.parts)] != "build":
        raise EditionError("the edition must be written outside the repository or under its build/")
    chapters = resolve_chapters(root, None)
    runs = executed(root, chapters, jobs=jobs, progress=progress)
    _clear(out)
    for chapter in chapters:
        _write_chapter(root, out, chapter, runs[chapter])
    _write_library(root, out)
    for name in TEMPLATES:
        shutil.copy2(root / "edition" / name, out / name)
    (out / "GLOSSARY.md").write_text(glossary_markdown(root), encoding="utf-8")
    if (root / "LICENSE").exists():
        shutil.copy2(root / "LICENSE", out / "LICENSE")
    return chapters
