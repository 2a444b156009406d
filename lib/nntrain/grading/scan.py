"""Flag submissions whose code reaches for the machinery that checks it.

Honest exercise code never rebinds NumPy's or the library's functions, edits builtins or
``sys.modules``, hooks IPython's error display, runs code from strings, or touches
processes and the gradebook.  A match does not change the score by itself: the row is
marked ``flagged`` with what was found, so that a person looks at it.
"""
from __future__ import annotations

import re

_MODULES = r"(?:np|numpy|nntrain|testing|reference|builtins|__builtins__|sys|os|IPython|math)"

PATTERNS = [
    (re.compile(rf"\b{_MODULES}(?:\s*\.\s*\w+)+\s*(?:\[[^\]]*\]\s*)?=(?!=)"),
     "assigns to an attribute of a module"),
    (re.compile(rf"\b(?:setattr|delattr)\s*\(\s*{_MODULES}\b"), "setattr/delattr on a module"),
    (re.compile(r"\bsys\s*\.\s*modules\b"), "touches sys.modules"),
    (re.compile(r"__builtins__|\bimport\s+builtins\b|\bfrom\s+builtins\b"), "touches builtins"),
    (re.compile(r"showtraceback|set_custom_exc|InteractiveShell|\.events\s*\.\s*register"
                r"|transformers?_\w+|\w+_transform(?:s|ers)\b|input_transformer"),
     "hooks IPython's error handling or rewrites cells"),
    (re.compile(r"\bimport\s+gc\b|\bgc\s*\.|_getframe|\bsettrace|\bsetprofile|__closure__|__globals__"
                r"|__code__|\binspect\s*\.|\bimport\s+inspect\b|__import__|\bimportlib\b|\bglobals\s*\(|\blocals\s*\(|\bnntrain_"),
     "reaches into the interpreter's internals"),
    (re.compile(r"(?<![\w.])(?:exec|eval|compile)\s*\("), "runs code from a string"),
    (re.compile(r"\b_forbidden\b|\bguard\s*\(|DelegationError|\b_lifted\b|\b_trusted\b|\b_built_on\b"),
     "reaches into the delegation guard"),
    (re.compile(r"\bos\s*\.\s*(?:_exit|kill|fork|system|popen|exec\w*|spawn\w*)\b|\bsubprocess\b|\bctypes\b"),
     "processes or native code"),
    (re.compile(r"gradebook|autograder|\.\./"), "looks outside its own folder"),
]


def scan(cells) -> list:
    """``["<where>: <what> (<snippet>)", ...]`` for the given ``(where, source)`` pairs."""
    found = []
    for where, source in cells:
        for pattern, what in PATTERNS:
            match = pattern.search(source or "")
            if match:
                snippet = source[match.start():match.end() + 20].splitlines()[0].strip()
                found.append(f"{where}: {what} ({snippet[:60]})")
    return found
