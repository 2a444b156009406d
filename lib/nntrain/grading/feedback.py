"""Feedback HTML for one graded submission: one self-contained page per student and chapter.

The page has the score, a table of the tests with their points, results and the first line
of each failure message, the grader's notes, and then every code cell that was graded: the
student's code and the tests, each with its output.

- A test cell shows its released source, which has the visible tests only. Its hidden tests
  never appear.
- Cells of the grader's own and demos that were skipped are left out.
- Output is shown as text, PNG images and plain error messages. HTML or JavaScript that a
  submission displays is never put into the page: the page shows its plain-text form, so
  opening feedback is safe for the instructor's browser.

Rendering is plain string building with Pygments for the code; nbconvert took about a second
per page here, more than the kernel run of many chapters.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from ..course.files import atomic_write
from ..course.notebook import nbgrader_meta
from .records import INJECTED, SKIP
from .records import points as _num

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
.passed { color: #176f2c; } .failed { color: #b00020; }
.cell { border: 1px solid #ddd; border-radius: 4px; margin: 1.2rem 0; }
.cell h3 { margin: 0; padding: .35rem .7rem; font-size: .95rem; background: #f3f3f3; border-bottom: 1px solid #ddd; }
pre { margin: 0; padding: .5rem .7rem; overflow-x: auto; font: 13px/1.4 ui-monospace, monospace; white-space: pre-wrap; }
.out { border-top: 1px dashed #ddd; } .err { border-top: 1px dashed #ddd; background: #fff3f3; color: #8a0015; }
img { max-width: 100%; display: block; margin: .5rem .7rem; }
"""


def _code(source: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
        return highlight(source, PythonLexer(), HtmlFormatter(nowrap=True, noclasses=True, style="friendly"))
    except ImportError:   # pygments comes with JupyterLab; plain text is fine without it
        return html.escape(source)


def _output(out) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        css = "err" if out.get("name") == "stderr" else "out"
        return f'<pre class="{css}">{html.escape(_ANSI.sub("", str(out.get("text", ""))))}</pre>'
    if kind == "error":
        trace = "\n".join(out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"])
        return f'<pre class="err">{html.escape(_ANSI.sub("", trace))}</pre>'
    data = out.get("data", {})
    png = data.get("image/png")
    if isinstance(png, str) and re.fullmatch(r"[A-Za-z0-9+/=\s]+", png):
        return f'<img alt="figure" src="data:image/png;base64,{png.strip()}">'
    text = data.get("text/plain")
    if text:
        return f'<pre class="out">{html.escape(_ANSI.sub("", str(text)))}</pre>'
    return ""


def _handed_in(row) -> str:
    """When the submission was handed in, and how late, if the exchange recorded it."""
    if row.timestamp is None:
        return ""
    when = f"Handed in {row.timestamp:%Y-%m-%d %H:%M:%S} UTC"
    if row.seconds_late <= 0:
        return f"<p>{when}.</p>"
    hours, rest = divmod(round(row.seconds_late), 3600)
    late = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
    penalty = f"; late penalty: {_num(row.late_penalty)} point(s)" if row.late_penalty else ""
    return f"<p class='failed'><b>Late</b>: {when}, {late} after the due date{penalty}.</p>"


def render(nb, row, master) -> str:
    """The feedback page of ``row`` (a graded :class:`~.grade.Row`) for the executed ``nb``."""
    results = {t.grade_id: (t.score, t.max_score, t.result, t.message) for t in row.tests}
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback: {e(row.chapter)}, "
             f"{e(row.student)}</title><style>{_CSS}</style></head><body>",
             f"<h1>Feedback: {e(row.chapter)}, {e(row.student)}</h1>",
             f"<p><b>Score: {_num(row.score)} / {_num(row.max_score)}</b> (status: {e(row.status)})</p>",
             _handed_in(row),
             "<table><tr><th>test</th><th>points</th><th>result</th></tr>"]
    for gid, (score, mx, result, message) in results.items():
        first = (message.splitlines() or [""])[0][:200]
        css = "passed" if result == "passed" else "failed"
        parts.append(f"<tr><td>{e(gid)}</td><td>{_num(score)} / {_num(mx)}</td>"
                     f"<td class='{css}'>{e(result)}{': ' + e(first) if first else ''}</td></tr>")
    parts.append("</table>")
    if row.reason:
        parts.append(f"<p>Notes: {e(row.reason)}</p>")
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.metadata.get(INJECTED) or cell.metadata.get(SKIP):
            continue
        meta = nbgrader_meta(cell)
        gid, source = meta.get("grade_id"), cell.source
        if gid in results:
            score, mx, result, _ = results[gid]
            title = f"test {gid}: {result}, {_num(score)} / {_num(mx)}"
            source = master.visible_source.get(gid, "# (the test's source is not shown)")
        elif meta.get("solution"):
            title = f"your code: {gid}"
        else:
            title = "code"
        outputs = "".join(_output(out) for out in cell.get("outputs", []))
        parts.append(f"<div class='cell'><h3>{e(title)}</h3><pre>{_code(source)}</pre>{outputs}</div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_unreadable(row) -> str:
    """The page of a submission that could not be read: why, and what to hand in instead."""
    e = html.escape
    return "\n".join([
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback: {e(row.chapter)}, "
        f"{e(row.student)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Feedback: {e(row.chapter)}, {e(row.student)}</h1>",
        f"<p><b>Score: {_num(row.score)} / {_num(row.max_score)}</b> (status: {e(row.status)})</p>",
        _handed_in(row),
        f"<p>Your submission could not be graded: {e(row.reason or 'it could not be read')}.</p>",
        f"<p>Hand in the notebook itself, <code>{e(row.chapter)}/{e(row.chapter)}.ipynb</code>, as "
        "JupyterLab saves it (File &gt; Save, or File &gt; Download), and ask your instructor to grade "
        "it again.</p>",
        "</body></html>"])


#: nbgrader's files beside a collected submission that `nbgrader release_feedback` reads from
#: the feedback folder
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def write(nb, row, master, path: Path, submitted: Path | None = None):
    """Render and write atomically (a reader never sees half a page); with nbgrader's
    timestamp and secret from the ``submitted`` folder, so release_feedback can send it."""
    page = render(nb, row, master) if nb is not None else render_unreadable(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in EXCHANGE_FILES:
        if submitted is not None and (Path(submitted) / name).is_file():
            shutil.copy2(Path(submitted) / name, path.parent / name)
    atomic_write(path, page)
