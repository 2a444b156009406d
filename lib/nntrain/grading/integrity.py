"""Undo tampering with the checking machinery before every test cell.

Student code and tests share one kernel, so a submission could rebind what the tests rely
on: ``np.allclose``, the library's reference implementations, ``nntrain.testing``'s checks,
builtins, ``sys.modules`` entries, or IPython's error display.  The grader therefore adds
cells of its own that the student never sees (:func:`inject`):

- the snapshot, first in the notebook, before any student code: it loads
  :mod:`.integrity_kernel` into the kernel, which records every attribute of the modules
  the tests use;
- a check, right before each test cell: it puts back every attribute, ``sys.modules`` entry,
  standard stream and IPython hook that differs from the snapshot, and prints what it
  restored.

So rebinding things makes wrong code fail its tests as it should, and the row is flagged
with the names that were restored (:func:`restored_names`).

The check cannot be switched off from the notebook: it lives under a name drawn at random
for every grading run, and it ends with an acknowledgement keyed with a secret of that run,
which the grader requires before it counts the next test (:meth:`Run.acknowledged`).  A
submission that replaces or removes the check gets no acknowledgement, and that test scores
0.  (To go further it would have to dig the secret out of the kernel's objects, which takes
introspection that the static scan in :mod:`.scan` flags.)
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import nbformat

from ..course.notebook import nbgrader_meta
from .integrity_kernel import ACK, RESTORED, token
from .records import CHECK_INDEX, INJECTED

KERNEL_MODULE = str(Path(__file__).with_name("integrity_kernel.py"))
_REPORT = re.compile(rf"^{re.escape(RESTORED)}(.*)$", re.M)


class Run:
    """The integrity cells of one grading run: a fresh key (the check's name) and secret."""

    def __init__(self):
        self.key = "_" + secrets.token_hex(8)
        self.secret = secrets.token_hex(16)

    def snapshot(self) -> str:
        """The source of the first cell: load the kernel half by its path, take the snapshot."""
        return (f"def {self.key}_make():\n"
                f"    from importlib.util import module_from_spec, spec_from_file_location\n"
                f"    spec = spec_from_file_location('nntrain_integrity{self.key}', {KERNEL_MODULE!r})\n"
                f"    module = module_from_spec(spec)\n"
                f"    spec.loader.exec_module(module)\n"
                f"    return module.snapshot({self.secret!r}, get_ipython())\n"
                f"{self.key} = {self.key}_make()\n"
                f"del {self.key}_make")

    def check(self, index: int) -> str:
        """The source of check cell number ``index``."""
        return f"{self.key}({index})"

    def acknowledged(self, index: int, text: str) -> bool:
        """Did the check cell number ``index`` run to its end (its output is ``text``)?"""
        return f"{ACK}{token(self.secret, index)}" in (text or "")


def inject(cells, run: Run) -> list:
    """``cells`` with the grader's own: the snapshot first, a check before every test cell."""
    def injected(source):
        """A code cell of the grader's own."""
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata[INJECTED] = True
        return cell

    out = [injected(run.snapshot())]
    for cell in cells:
        if nbgrader_meta(cell).get("grade"):
            check = injected(run.check(len(out)))
            check.metadata[CHECK_INDEX] = len(out)
            out.append(check)
        out.append(cell)
    return out


def printed(cell) -> str:
    """What a cell printed (its stdout and stderr streams)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def restored_names(text: str) -> list:
    """The names a check cell's output says it put back."""
    names = []
    for match in _REPORT.finditer(text or ""):
        names.extend(n.strip() for n in match.group(1).split(","))
    return names
