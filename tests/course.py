"""The course under test, defined once for every test module: its root, its chapters, and
its notebooks as nbformat reads them."""
from pathlib import Path

import nbformat

from nntrain.course.layout import chapter_ids

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = chapter_ids(ROOT)


def solution(chapter: str):
    """The instructor's notebook of ``chapter`` (``solutions/``)."""
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def released(chapter: str):
    """The student version of ``chapter`` as nbgrader releases it (``chapters/``)."""
    return nbformat.read(ROOT / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
