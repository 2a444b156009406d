"""Build the textbook as a static HTML site: one page per chapter, a table of contents and
the glossary.

    python -m nntrain.course.book [--out build/book] [--jobs 2] [--root ROOT] [chapter ...]

What a chapter page shows: the **student version** of the chapter (what ``nntrain release``
gives students: every solution replaced by the stub, the hidden tests removed), with the
outputs of the **solution notebook** executed top to bottom.  So the book never publishes a
solution or a hidden test, yet every figure is there, including those of "Your code in
action", which show what a correct solution draws.  The solutions' and the tests' own
outputs are left out, and so are interactive widgets (sliders, progress bars), which need a
running kernel; each widget cell follows a static figure of the same thing.

The notebooks run in ``--jobs`` kernels at once (nbclient), each with one BLAS thread and
the inline figure backend; each execution is cached under ``build/cache/executed/`` (keyed by
the notebook and the library, :func:`executed_one`) and shared with the student edition; nbconvert's HTML export (the JupyterLab template) writes the
pages, figures embedded, equations rendered by MathJax (loaded from a CDN when a page is
viewed).  The glossary page is generated from ``book/glossary.csv`` (see nntrain.course.glossary).
``manifest.json`` lists the pages with their number of figures.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import nbformat

from .. import kernel
from . import glossary
from .files import file_lock
from .layout import CONFIG, CourseError, find_root, resolve_chapters
from .notebook import nbgrader_meta

WIDGET = "application/vnd.jupyter.widget-view+json"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
# The kernels: one BLAS thread each (the matrices are small and 2 kernels share 2 cores),
# and figures inline even when the caller set MPLBACKEND=Agg (as the tests do).
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MPLBACKEND": "module://matplotlib_inline.backend_inline",
              "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


class BookError(RuntimeError):
    """A chapter could not be built (a cell failed): the message names it."""


def title_of(nb) -> str:
    """The chapter's title: the first line of its first cell, without the ``#``."""
    first = nb.cells[0].source.strip().splitlines()[0] if nb.cells else ""
    return first.lstrip("#").strip()


def run_cells(nb, cwd: str, env: dict, timeout: int = 300, allow_errors: bool = False):
    """Run every cell of ``nb`` (in place) in a fresh ``python3`` kernel started in ``cwd``.

    The cells are run one by one, as the grader runs them, rather than with nbclient's
    ``execute()``: that one first asks the kernel for its ``kernel_info`` and, when the reply
    goes astray (seen with two notebooks run at once on a loaded machine), waits the whole
    cell timeout for it.  The notebook's ``language_info`` is the kernel's own, known here.
    The kernel client is :mod:`nntrain.kernel`'s, whose shell channel cannot miss a cell's reply
    (without it, 01_sgd's widget cell could wait out its time limit on a loaded machine).
    Without ``allow_errors``, a failing cell raises nbclient's ``CellExecutionError``."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    km = AsyncKernelManager(kernel_name="python3", client_class=kernel.CLIENT_CLASS)
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=allow_errors,
                            resources={"metadata": {"path": cwd}}, record_timing=False,
                            shutdown_kernel="immediate")     # 0.1 s instead of 0.3 s: nothing to save
    with client.setup_kernel(env=env, cwd=cwd, stderr=subprocess.DEVNULL, cleanup_kc=True):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        client.set_widgets_metadata()
    nb.metadata["language_info"] = dict(IPythonKernel.language_info)
    return nb


def execute(nb, chapter: str, cell_timeout: int = 300):
    """Run ``nb`` top to bottom in a fresh kernel (in place); a failing cell raises BookError."""
    from nbclient.exceptions import CellExecutionError

    with tempfile.TemporaryDirectory(prefix=f"nntrain-book-{chapter}-") as cwd:
        try:
            run_cells(nb, cwd, {**os.environ, **KERNEL_ENV}, cell_timeout)
        except CellExecutionError as exc:
            raise BookError(f"{chapter}: a cell of the solution notebook failed:\n{str(exc)[-2000:]}") from None
    return nb


def _cache_key(root: Path, chapter: str) -> str:
    """What an execution of the solution notebook depends on: its text, the library's
    files (but the grader's, which a notebook never runs), and the versions of Python and
    NumPy."""
    import hashlib
    import numpy
    digest = hashlib.sha256(f"{sys.version}|{numpy.__version__}|{sorted(KERNEL_ENV.items())}".encode())
    digest.update((root / "solutions" / chapter / f"{chapter}.ipynb").read_bytes())
    lib = root / "lib" / "nntrain"
    for path in sorted(p for p in lib.rglob("*") if p.is_file() and not {"__pycache__", "grading"} & set(p.parts)):
        digest.update(path.relative_to(lib).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def executed_one(root: Path, chapter: str, progress=print):
    """The solution notebook of ``chapter`` run top to bottom, from the cache under
    ROOT/build/cache/executed/ when nothing it depends on changed.  Processes that ask for
    the same chapter at once wait for one run (a file lock) and share it."""
    cache = root / "build" / "cache" / "executed"
    cache.mkdir(parents=True, exist_ok=True)
    key = _cache_key(root, chapter)
    path = cache / f"{chapter}-{key}.ipynb"
    with file_lock(cache / f"{chapter}.lock"):
        if path.exists():
            return nbformat.read(path, as_version=4)
        t0 = time.perf_counter()
        nb = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
        execute(nb, chapter)
        _merge_streams(nb)
        nb.metadata.setdefault("nntrain", {})["seconds"] = round(time.perf_counter() - t0, 1)
        progress(f"executed {chapter} in {nb.metadata.nntrain['seconds']:.1f} s")
        for old in cache.glob(f"{chapter}-*.ipynb"):
            old.unlink()                                 # an earlier version of the chapter
        tmp = path.with_suffix(".tmp")
        nbformat.write(nb, tmp)
        tmp.replace(path)
        return nb


def _merge_streams(nb):
    """Consecutive pieces of one stream of a cell as one output, in place, as JupyterLab shows
    them: how a cell's printing is cut into pieces depends on when the kernel flushed, so
    without this the pages and the edition's stored outputs would change from run to run."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def executed(root: Path, chapters, jobs: int = 2, progress=print) -> dict:
    """chapter -> its executed solution notebook (see :func:`executed_one`), ``jobs`` at once.
    The chapters that draw the most figures start first, so that no long one is left to run
    alone at the end (a cold build of the edition on 2 cores: 32.8 s instead of 38.7 s)."""
    order = sorted(chapters, key=lambda c: _expected_cost(Path(root), c), reverse=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = dict(zip(order, pool.map(lambda c: executed_one(Path(root), c, progress), order)))
    return {chapter: runs[chapter] for chapter in chapters}


def _expected_cost(root: Path, chapter: str) -> tuple:
    """What predicts how long a solution notebook runs: drawing and rendering its figures
    takes most of the time, then the length of its code."""
    nb = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return sum(source.count("plt.show()") for source in code), sum(map(len, code))


def student_version(nb, root: Path):
    """The student version of a solution notebook, in place: nbgrader's own preprocessors
    (as ``generate_assignment`` applies them, with the course's code stub) replace the
    solutions and remove the hidden tests.  Outputs are kept, except those of solution and
    test cells and of widgets."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    resources = {}
    ClearSolutions(config=config).preprocess(nb, resources)
    ClearHiddenTests(config=config).preprocess(nb, resources)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("solution") or meta.get("grade"):
            cell.outputs = []
        else:
            cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
    return nb


def count_images(nb) -> int:
    """Image outputs of the notebook's code cells."""
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if any(t in o.get("data", {}) for t in IMAGE_TYPES))


# nbconvert's JupyterLab template, but a code cell's source, once pygments has highlighted
# (and escaped) it, is not sanitized again with bleach: that took 40 % of the export, and
# changes nothing in what pygments writes (its tags and classes are all allowed)
TEMPLATE = "nntrain-book.html.j2"
TEMPLATE_SOURCE = """{%- extends 'lab/index.html.j2' -%}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""


def _exporter():
    """nbconvert's HTML export with the JupyterLab template (see :data:`TEMPLATE_SOURCE`),
    without prompts.  Its warning about images without alternative text is silenced:
    :func:`_alt_texts` gives them one."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    quiet = logging.getLogger("nntrain.course.book.nbconvert")
    quiet.setLevel(logging.ERROR)
    return HTMLExporter(template_name="lab", template_file=TEMPLATE,
                        extra_loaders=[DictLoader({TEMPLATE: TEMPLATE_SOURCE})],
                        exclude_input_prompt=True, exclude_output_prompt=True, log=quiet)


def _alt_texts(page: str, title: str) -> str:
    """Number the figures of a page in their alternative text."""
    count = iter(range(1, 10 ** 6))
    return re.sub(r'alt="No description has been provided for this image"',
                  lambda m: f'alt="Figure {next(count)} of {html.escape(title)}"', page)


def _page(markdown_cells, title: str) -> str:
    nb = nbformat.v4.new_notebook()
    # fixed cell ids (nbformat draws random ones), so that every build writes the same page
    nb.cells = [nbformat.v4.new_markdown_cell(m, id=f"part-{i}") for i, m in enumerate(markdown_cells)]
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _nav(chapters, titles, i) -> str:
    """Links to the previous chapter, the contents, the glossary and the next chapter."""
    parts = []
    if i > 0:
        parts.append(f'<a href="{chapters[i - 1]}.html">&larr; {html.escape(titles[chapters[i - 1]])}</a>')
    parts += ['<a href="index.html">Contents</a>', '<a href="glossary.html">Glossary</a>']
    if i + 1 < len(chapters):
        parts.append(f'<a href="{chapters[i + 1]}.html">{html.escape(titles[chapters[i + 1]])} &rarr;</a>')
    return '<nav class="nntrain-book-nav">' + " &middot; ".join(parts) + "</nav>"


def sections(page_html: str) -> list:
    """(anchor id, text) of the ``<h2>`` headings of an exported page, in order."""
    found = re.findall(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', page_html, re.S)
    return [(anchor, re.sub(r"<[^>]+>", "", text).strip()) for anchor, text in found]


def index_page(book_title: str, chapters, titles, toc) -> str:
    """The contents page: every chapter in order, with its sections."""
    items = []
    for chapter in chapters:
        subs = "".join(f'<li><a href="{chapter}.html#{quote(anchor, safe="")}">{html.escape(text)}</a></li>'
                       for anchor, text in toc[chapter])
        items.append(f'<li><a href="{chapter}.html">{html.escape(titles[chapter])}</a>'
                     f'<ul class="nntrain-book-sections">{subs}</ul></li>')
    return _page([f"# {book_title}",
                  "The chapters in order. Every page shows the chapter as students get it, with the "
                  "outputs of the reference solution; the exercises themselves are left to you. "
                  'Key terms carry their Chinese names; the <a href="glossary.html">glossary</a> lists '
                  "them all.",
                  '<ol class="nntrain-book-toc">' + "".join(items) + "</ol>"], "Contents")


def glossary_page(terms, titles) -> str:
    """The glossary page: every term, its Chinese name and the chapters that use it."""
    rows = []
    for t in sorted(terms, key=lambda t: t.term.lower()):
        name = html.escape(t.term) + (f" ({html.escape(', '.join(t.also))})" if t.also else "")
        where = (f'<a href="{t.chapter}.html">{html.escape(t.chapter)}</a>' if t.chapter in titles
                 else html.escape(t.chapter))
        rows.append(f"<tr><td>{name}</td><td>{html.escape(t.zh)}</td><td>{html.escape(t.symbol)}</td>"
                    f"<td>{where}</td></tr>")
    table = ('<table class="nntrain-glossary"><thead><tr><th>English</th><th>中文</th><th>symbol</th>'
             "<th>first used in</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    return _page(['<p><a href="index.html">Contents</a></p>\n\n# Glossary (术语表)',
                  "Every key term of the book with its Chinese name, its symbol in the lecture's "
                  "notation, and the chapter that introduces it.", table], "Glossary")


def _remove_previous(out: Path):
    """Delete the pages of an earlier build into ``out`` (those its manifest lists), so that
    building fewer chapters leaves no stale page behind."""
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for name in [c.get("file", "") for c in old.get("chapters", [])] + ["index.html", "glossary.html"]:
        if name and "/" not in name:
            (out / name).unlink(missing_ok=True)


def build(root: Path, out: Path, chapters=None, jobs: int = 2, progress=print) -> dict:
    """Build the book of ``chapters`` (default: all) into ``out``; return the manifest."""
    root, out = Path(root), Path(out)
    chapters = resolve_chapters(root, chapters)
    terms = glossary.load(glossary.path(root))
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)

    runs = executed(root, chapters, jobs=jobs, progress=progress)
    done = {c: (student_version(copy.deepcopy(runs[c]), root), runs[c].metadata.nntrain["seconds"])
            for c in chapters}

    titles = {c: title_of(done[c][0]) for c in chapters}
    manifest = {"chapters": [], "glossary": "glossary.html", "terms": len(terms)}
    toc = {}
    exporter = _exporter()
    for i, chapter in enumerate(chapters):
        nb, seconds = done[chapter]
        nav = _nav(chapters, titles, i)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(nav, id="book-nav-top"))
        nb.cells.append(nbformat.v4.new_markdown_cell(nav, id="book-nav-bottom"))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": titles[chapter]}})
        body = _alt_texts(body, titles[chapter])
        (out / f"{chapter}.html").write_text(body, encoding="utf-8")
        toc[chapter] = sections(body)
        manifest["chapters"].append({"id": chapter, "title": titles[chapter], "file": f"{chapter}.html",
                                     "images": count_images(nb), "seconds": round(seconds, 1)})
    readme = (root / "README.md").read_text(encoding="utf-8").splitlines() if (root / "README.md").exists() else []
    book_title = readme[0].lstrip("# ").strip() if readme else "The book"
    (out / "index.html").write_text(index_page(book_title, chapters, titles, toc), encoding="utf-8")
    (out / "glossary.html").write_text(glossary_page(terms, titles), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv=None) -> int:
    """``python -m nntrain.course.book`` (or ``nntrain book``): build the book; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m nntrain.course.book", description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    parser.add_argument("--out", default=None, help="output folder (default: ROOT/build/book)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--root", help="course root (default: found from the current folder)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        root = find_root(args.root)
        out = Path(args.out) if args.out else root / "build" / "book"
        manifest = build(root, out, args.chapters or None, jobs=args.jobs)
    except (BookError, CourseError, ValueError, OSError) as exc:
        print(f"nntrain book: {exc}", file=sys.stderr)
        return 1
    n = len(manifest["chapters"])
    print(f"wrote {n} chapter page{'s' if n != 1 else ''}, the contents and the glossary "
          f"({manifest['terms']} terms) to {out}/index.html in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
