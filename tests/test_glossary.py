"""The glossary (book/glossary.csv) and the notebooks agree.

Every glossary term is annotated "term (中文)" in the chapter the glossary names, and in no
earlier chapter; every "English (中文)" term annotation in the notebooks' markdown is a
glossary term (headings are titles, not checked in that direction; quotations of the lecture
are not annotations).  See nntrain.glossary for how annotations are found and matched.
"""

import nbformat
import pytest

from nntrain.course import glossary
from nntrain.contract import CONTRACT
from tests.course import CHAPTERS, ROOT

TERMS = glossary.load(glossary.path(ROOT))
NOTEBOOKS = {c: nbformat.read(ROOT / "solutions" / c / f"{c}.ipynb", as_version=4) for c in CHAPTERS}
ANNOTATIONS = {c: glossary.annotations(nb, c) for c, nb in NOTEBOOKS.items()}

# Annotations that disagree with the glossary, reported to the chapters' authors:
# (chapter, Chinese name, words of the annotation, what is wrong).  The tests accept exactly
# these; remove an entry once its notebook is fixed (test_known_inconsistencies_still_exist
# says when).
KNOWN_INCONSISTENT = []   # (chapter, 中文, English words, why): annotations awaiting a fix


def _known(ann):
    return any(ann.chapter == c and ann.zh == zh and words.lower() in ann.text.lower()
               for c, zh, words, _ in KNOWN_INCONSISTENT)


def _present(terms):
    return [t for t in terms if t.chapter in NOTEBOOKS]


def test_glossary_rows_are_well_formed():
    assert len(TERMS) >= 50
    unknown = [(t.term, t.chapter) for t in TERMS if t.chapter not in CONTRACT]
    assert not unknown, f"chapter ids not in the curriculum: {unknown}"
    names = [n.lower() for t in TERMS for n in t.names]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"English names listed twice: {duplicates}"
    for t in TERMS:
        assert t.symbol == "" or (t.symbol.startswith("$") and t.symbol.endswith("$")), t


def test_every_term_is_annotated_in_its_chapter():
    missing = [f"{t.term} ({t.zh}) in {t.chapter}" for t in _present(TERMS)
               if not any(glossary.matches(t, a) for a in ANNOTATIONS[t.chapter])]
    assert not missing, "glossary terms that their chapter does not annotate:\n" + "\n".join(missing)


def test_chapter_is_the_first_that_annotates_the_term():
    early = []
    for t in _present(TERMS):
        for c in CHAPTERS[:CHAPTERS.index(t.chapter)]:
            hits = [a for a in ANNOTATIONS[c] if glossary.matches(t, a)]
            if hits:
                early.append(f"{t.term}: glossary says {t.chapter}, first annotated in {hits[0]}")
                break
    assert not early, "\n".join(early)


def test_every_annotation_is_a_glossary_term():
    strays = [str(a) for c in CHAPTERS for a in ANNOTATIONS[c]
              if not a.heading and not _known(a) and not any(glossary.matches(t, a) for t in TERMS)]
    assert not strays, ("annotations that match no glossary term (add the term to book/glossary.csv, "
                        "or write the notebook's term as the glossary does):\n" + "\n".join(strays))


def test_known_inconsistencies_still_exist():
    fixed = [f"{c}: {words} ({zh})" for c, zh, words, _ in KNOWN_INCONSISTENT
             if c in ANNOTATIONS and not any(_known(a) and a.chapter == c and a.zh == zh
                                             and words.lower() in a.text.lower() for a in ANNOTATIONS[c])]
    assert not fixed, "fixed in the notebooks: remove from KNOWN_INCONSISTENT:\n" + "\n".join(fixed)


def test_symbols_are_the_notebooks_notation():
    markdown = "\n".join(c.source for nb in NOTEBOOKS.values() for c in nb.cells if c.cell_type == "markdown")
    unused = [f"{t.term}: {t.symbol}" for t in _present(TERMS) if t.symbol and t.symbol.strip("$") not in markdown]
    assert not unused, "symbols that no notebook writes:\n" + "\n".join(unused)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_title_is_bilingual(chapter):
    title = NOTEBOOKS[chapter].cells[0].source.splitlines()[0]
    assert title.startswith("# ") and glossary.CJK.search(title), title
