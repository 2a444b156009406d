"""JupyterLab in a real browser: what a student does, end to end.

JupyterLab runs on a free port of 127.0.0.1, started from a temporary copy of the course (so
nothing is written into the repository), and headless Chromium (Debian's, driven by
Playwright) opens one chapter:

1. the student version: Run > Run All Cells; every figure before the exercises renders, and
   the only error is an exercise's (a test cell or a "Your code in action" cell: JupyterLab
   stops a run at the first error, as it would for a student);
2. the solution notebook: Run All Cells runs every cell, with no error;
3. nbgrader's "Validate" toolbar button: on the student version the dialog lists failing
   tests, on the solution it reports success;
4. the student edition's chapter (`nntrain student-edition`), opened and not run: every
   figure of the lesson is there already.

Screenshots go to tests/artifacts/.  Needs /usr/bin/chromium and the playwright package
(`.ci/run` installs both); skipped without them on a developer's machine, failed on CI
(`CI=true`).  NNTRAIN_BROWSER_CHAPTER picks the chapter.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from secrets import token_hex

import nbformat
import pytest

from nntrain.course import book, edition
from nntrain.course.notebook import nbgrader_meta
from tests.capabilities import require
from tests.course import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHAPTER = os.environ.get("NNTRAIN_BROWSER_CHAPTER", "00_training_loop")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RUN_TIMEOUT = 120_000   # ms for Run All Cells of one notebook
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"   # the notebook in the active tab
CELL = f"{PANEL} .jp-Notebook .jp-Cell"
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b", re.M)

require(Path(CHROMIUM).is_file(), "a browser", f"{CHROMIUM} (apt-get install chromium; .ci/run does)",
        module_level=True)
try:
    from playwright import sync_api
except ImportError:
    sync_api = None
require(sync_api is not None, "Playwright", "pip install playwright (.ci/run does)", module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path):
    """JupyterLab user settings for the test: every cell stays in the DOM (no windowing), no
    news or update pop-ups."""
    for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                           "apputils-extension/notification": {"fetchNews": "false",
                                                               "checkForUpdates": False}}.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the course holding CHAPTER; yields (base url, token)."""
    course = tmp_path_factory.mktemp("course")
    home = tmp_path_factory.mktemp("jupyter-home")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for folder in ("chapters", "solutions"):
        shutil.copytree(ROOT / folder / CHAPTER, course / folder / CHAPTER)
    released = nbformat.read(ROOT / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    (course / "edition" / CHAPTER).mkdir(parents=True)
    nbformat.write(edition.with_outputs(released, book.executed_one(ROOT, CHAPTER, progress=lambda m: None),
                                        CHAPTER), course / "edition" / CHAPTER / f"{CHAPTER}.ipynb")
    _settings(home / "settings")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # figures inline
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    port, token = _free_port(), token_hex(16)
    log = open(home / "jupyterlab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={course}"],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail("JupyterLab exited:\n" + (home / "jupyterlab.log").read_text()[-3000:])
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 60 s")
                time.sleep(0.2)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)   # our own server's group: server and kernels
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser_{CHAPTER}_{name}.png"))


def _open(page, lab, folder):
    base, token = lab
    page.goto(f"{base}/lab/tree/{folder}/{CHAPTER}/{CHAPTER}.ipynb?reset&token={token}")
    page.wait_for_selector(CELL, timeout=60_000)
    # the kernel has started when the status bar says so
    page.wait_for_function("() => /\\|\\s*Idle/.test(document.querySelector('.jp-StatusBar-Widget')"
                           " ? document.body.innerText : '')", timeout=60_000)
    notebook = nbformat.read(ROOT / ("chapters" if folder == "edition" else folder) / CHAPTER / f"{CHAPTER}.ipynb",
                             as_version=4)
    assert page.locator(CELL).count() == len(notebook.cells)
    return notebook


def _run_all(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    # started: some cell is queued or running; finished: none is, and the kernel is idle
    page.wait_for_function("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                           ".some(p => p.textContent.includes('*') || /\\d/.test(p.textContent))",
                           timeout=30_000)
    page.wait_for_function("() => ![...document.querySelectorAll('.jp-InputArea-prompt')]"
                           ".some(p => p.textContent.includes('*'))"
                           " && /\\|\\s*Idle/.test(document.body.innerText)", timeout=RUN_TIMEOUT)


CELLS_JS = """selector => [...document.querySelectorAll(selector)].map(c => ({
    code: c.classList.contains('jp-CodeCell'),
    prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    images: [...c.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete && i.naturalWidth > 0),
    stderr: [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.textContent),
}))"""


def _cells(page):
    cells = page.evaluate(CELLS_JS, CELL)
    for cell in cells:
        cell["ran"] = bool(re.search(r"\[\d+\]", cell["prompt"]))
        cell["errors"] = [t for t in cell["stderr"] if ERROR_TEXT.search(t)]
    return cells


def _draws(cell) -> bool:
    return cell.cell_type == "code" and "plt.show()" in cell.source and "widgets" not in cell.source


def _exercise_cells(nb) -> set:
    """Indices of the cells that need the student's solutions: the graded test cells and the
    code cells of the section "Your code in action"."""
    found, in_action = set(), False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            in_action = cell.source.lstrip().startswith("## Your code in action")
        if cell.cell_type == "code" and (nbgrader_meta(cell).get("grade") or in_action):
            found.add(i)
    return found


def test_student_chapter_runs_and_fails_only_in_the_exercises(lab, page):
    t0 = time.monotonic()
    nb = _open(page, lab, "chapters")
    _run_all(page)
    cells = _cells(page)
    failed = [i for i, c in enumerate(cells) if c["errors"]]
    _shot(page, "student_end")
    assert failed, "the student version ran without an error: are the exercises still open?"
    assert set(failed) <= _exercise_cells(nb), f"errors outside the exercises, in cells {failed}"
    assert "NotImplementedError" in "".join(cells[failed[0]]["errors"])
    page.locator(CELL).nth(failed[0]).scroll_into_view_if_needed()
    _shot(page, "student_first_error")
    before = range(failed[0])
    not_run = [i for i in before if nb.cells[i].cell_type == "code" and not cells[i]["ran"]]
    assert not not_run, f"cells before the first exercise that did not run: {not_run}"
    figures = [i for i in before if _draws(nb.cells[i])]
    assert figures, "no figure before the exercises?"
    missing = [i for i in figures if not cells[i]["images"] or not all(cells[i]["images"])]
    assert not missing, f"cells whose figure did not render: {missing}"
    page.locator(CELL).nth(figures[0]).locator("img").first.scroll_into_view_if_needed()
    _shot(page, "student_figure")
    print(f"student version: {len(figures)} figures, first error in cell {failed[0]}, "
          f"{time.monotonic() - t0:.1f} s")


def test_solution_notebook_runs_clean(lab, page):
    t0 = time.monotonic()
    nb = _open(page, lab, "solutions")
    _run_all(page)
    cells = _cells(page)
    _shot(page, "solution_end")
    errors = {i: c["errors"][0][:300] for i, c in enumerate(cells) if c["errors"]}
    assert not errors, f"errors in the solution notebook: {errors}"
    not_run = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and not cells[i]["ran"]]
    assert not not_run, f"cells that did not run: {not_run}"
    missing = [i for i, cell in enumerate(nb.cells)
               if _draws(cell) and (not cells[i]["images"] or not all(cells[i]["images"]))]
    assert not missing, f"cells whose figure did not render: {missing}"
    print(f"solution: {sum(len(c['images']) for c in cells)} images, {time.monotonic() - t0:.1f} s")


@pytest.mark.parametrize("folder, verdict", [("chapters", "validation-failed"),
                                             ("solutions", "validation-success")])
def test_nbgrader_validate_button(lab, page, folder, verdict):
    t0 = time.monotonic()
    _open(page, lab, folder)
    button = page.locator(f"{PANEL} .jp-NotebookPanel-toolbar .validate-button")
    assert button.is_visible(), "nbgrader's Validate button is not in the notebook toolbar"
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=RUN_TIMEOUT)
    assert "Validation Results" in dialog.locator(".jp-Dialog-header").inner_text()
    body = dialog.locator(".jp-Dialog-body")
    _shot(page, f"validate_{folder}")
    assert dialog.locator(f".{verdict}").count() == 1, body.inner_text()[:2000]
    text = body.inner_text()
    if verdict == "validation-failed":
        assert "The following cell failed:" in text and "NotImplementedError" in text
    else:
        assert "Success! Your notebook passes all the tests." in text
    dialog.get_by_role("button", name="Ok").click()
    print(f"validate {folder}: {time.monotonic() - t0:.1f} s")


def test_edition_chapter_shows_its_figures_before_anything_runs(lab, page):
    nb = _open(page, lab, "edition")
    cells = _cells(page)
    figures = [i for i, cell in enumerate(nb.cells) if _draws(cell) and not nbgrader_meta(cell).get("grade")]
    assert figures, "no figure in the lesson?"
    missing = [i for i in figures if not cells[i]["images"] or not all(cells[i]["images"])]
    assert not missing, f"lesson cells without their stored figure: {missing}"
    page.locator(CELL).nth(figures[0]).locator("img").first.scroll_into_view_if_needed()
    _shot(page, "edition_figure_before_running")
    print(f"edition: {len(figures)} figures shown before running")
