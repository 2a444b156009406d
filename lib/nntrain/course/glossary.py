"""The book's glossary (English, 中文, symbol, chapter) and the term annotations of the notebooks.

The glossary has one source, ``book/glossary.csv`` at the course root, with the columns

    term     the English term, singular, lower case unless a name ("Hessian", "AdaGrad")
    zh       its Chinese name, exactly as the notebooks write it
    symbol   its symbol in LaTeX (``$\\rho$``), or empty
    chapter  the id of the first chapter whose text annotates it
    also     other English names the notebooks annotate with the same Chinese name
             (abbreviations, short forms), separated by ``;``

A notebook introduces a key term with its Chinese name in parentheses right after it,
``**momentum** (动量)``, or, when the parentheses hold more, with the English term first
inside them, ``(the first moment, 一阶矩)``.  :func:`annotations` finds these in the markdown
of a notebook; :func:`matches` says whether one of them annotates a glossary term.  The
English part is compared case-insensitively, in singular or plural form, as whole words
ending the text before the parentheses or the English inside them; the Chinese part must be
identical.

Parentheses that quote the lecture are not annotations: a Chinese part in quotation marks,
with sentence punctuation (，。：、), or longer than :data:`MAX_TERM_CHARS` characters.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Term", "Annotation", "load", "annotations", "english_forms", "matches", "path"]

FIELDS = ["term", "zh", "symbol", "chapter", "also"]
MAX_TERM_CHARS = 12          # CJK characters in a term; longer is a quoted sentence
CJK = re.compile(r"[\u3400-\u9fff]")   # a Chinese character
_PAREN = re.compile(r"\(([^()]{1,400})\)")   # may wrap lines, never paragraphs
_QUOTATION = re.compile(r"[\"“”「」『』，。；：！？、]")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One row of ``book/glossary.csv``: a term, its Chinese name and how it appears."""
    term: str
    zh: str
    symbol: str
    chapter: str
    also: tuple = ()

    @property
    def names(self) -> tuple:
        """The English names that may annotate this term: ``term`` first, then ``also``."""
        return (self.term, *self.also)


@dataclass(frozen=True)
class Annotation:
    """``English (中文)`` in a markdown cell: ``before`` is the text in front of the
    parentheses (same paragraph, markup removed), ``inside`` the English written inside
    them before the Chinese name (or ``""``)."""
    chapter: str
    cell: int
    zh: str
    before: str
    inside: str
    heading: bool
    text: str            # the annotation as written, for messages

    def __str__(self):
        return f"{self.chapter} cell {self.cell}: {self.text!r}"


def path(root) -> Path:
    """Where the glossary lives in the course at ``root``."""
    return Path(root) / "book" / "glossary.csv"


def load(file) -> list:
    """The glossary's terms, in file order.  Raises ValueError naming the line of a bad row."""
    terms = []
    with open(file, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != FIELDS:
            raise ValueError(f"{file}: the header must be {','.join(FIELDS)}, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            if None in row or None in row.values():
                raise ValueError(f"{file}:{line}: expected {len(FIELDS)} fields ({','.join(FIELDS)}); "
                                 f"quote a field that holds a comma")
            term, zh, chapter = row["term"].strip(), row["zh"].strip(), row["chapter"].strip()
            if not term or CJK.search(term):
                raise ValueError(f"{file}:{line}: term must be English, got {term!r}")
            if not CJK.search(zh):
                raise ValueError(f"{file}:{line}: zh must be a Chinese name, got {zh!r}")
            if not chapter:
                raise ValueError(f"{file}:{line}: chapter is empty")
            also = tuple(a.strip() for a in (row["also"] or "").split(";") if a.strip())
            terms.append(Term(term, zh, (row["symbol"] or "").strip(), chapter, also))
    return terms


def _plain(text: str) -> str:
    """Markdown emphasis, code marks and quotes removed, whitespace collapsed."""
    return " ".join(re.sub(r"[*`\"“”]", "", text).split())


def annotations(nb, chapter: str = "") -> list:
    """Every term annotation in the markdown cells of the notebook ``nb``, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        source = cell.source
        for m in _PAREN.finditer(source):
            if "\n\n" in m.group(1):
                continue
            raw = m.group(1).split(",")
            k = next((i for i, p in enumerate(raw) if CJK.search(p)), None)
            if k is None or _QUOTATION.search(raw[k]) or len(CJK.findall(raw[k])) > MAX_TERM_CHARS:
                continue
            parts = [_plain(p) for p in raw]
            zh = parts[k]
            paragraph = source[:m.start()].rsplit("\n\n", 1)[-1]
            line = source[:m.start()].rsplit("\n", 1)[-1]
            before = _plain(paragraph[-120:])
            inside = _ARTICLE.sub("", ", ".join(parts[:k]))
            found.append(Annotation(chapter, index, zh, before, inside,
                                    heading=line.lstrip().startswith("#"),
                                    text=_plain(f"{before[-40:]} ({m.group(1)})")))
    return found


def english_forms(name: str) -> set:
    """``name`` in lower case, with the plural forms of its last word
    (epoch -> epochs, mini-batch -> mini-batches, optimum -> optima, axis -> axes)."""
    name = name.lower()
    forms = {name, name + "s", name + "es"}
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        forms.add(name[:-1] + "ies")
    if name.endswith("um"):
        forms.add(name[:-2] + "a")
    if name.endswith("is"):
        forms.add(name[:-2] + "es")
    return forms


def matches(term: Term, ann: Annotation) -> bool:
    """True when ``ann`` annotates ``term``: the same Chinese name, and one of the term's
    English names (any form of :func:`english_forms`) ending, as whole words, either the
    English written inside the parentheses or the text in front of them."""
    if ann.zh != term.zh:
        return False
    for name in term.names:
        for form in english_forms(name):
            tail = re.compile(r"(?:^|[^\w-])" + re.escape(form) + r"$")
            if tail.search(ann.inside.lower()) or tail.search(ann.before.lower()):
                return True
    return False
