"""nbgrader's own ``autograde``, with nntrain's integrity checks plugged into its pipeline.

``nbgrader autograde`` runs a submission in a plain kernel and counts a test cell as passed
when its output shows no error, so a submission that rebinds ``numpy.testing.assert_allclose``
earns the points of code that is wrong.  nbgrader's pipeline takes preprocessors from its
configuration, and the course's ``nbgrader_config.py`` adds three (see
:data:`AUTOGRADE_PREPROCESSORS`):

- :class:`InjectIntegrityChecks`, before nbgrader's ``Execute``: the grader's snapshot first,
  a check before every test cell (:func:`.integrity.inject`);
- :class:`VerifyIntegrityChecks`, right after it: a test whose check did not run to its end
  gets an error output (so nbgrader scores it 0), and the grader's cells are taken out again;
- :class:`FlagTampering`, after nbgrader's ``SaveAutoGrades``: a submission whose checks had
  to put something back, or were stopped, needs a manual grade in the gradebook.

What ``nbgrader autograde`` still lacks is the rest of ``nntrain grade``: the sandbox, the time
limit per notebook, the static scan and the rebuilt notebook.  Grade with ``nntrain grade``.
"""
from __future__ import annotations

from nbformat import v4
from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor   # enabled by default

from ..course.notebook import nbgrader_meta
from . import integrity
from .records import CHECK_INDEX, INJECTED

#: nbgrader's ``Autograde.autograde_preprocessors`` with the three of this module in place
AUTOGRADE_PREPROCESSORS = [
    "nntrain.grading.nbgrader_autograde.InjectIntegrityChecks",
    "nbgrader.preprocessors.Execute",
    "nntrain.grading.nbgrader_autograde.VerifyIntegrityChecks",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nntrain.grading.nbgrader_autograde.FlagTampering",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
_RUN, _FINDINGS = "nntrain_integrity", "nntrain_integrity_findings"
UNCHECKED = "the grader's integrity check before this test was prevented from running"


#: the first cell in nbgrader's kernel, before the snapshot: the grading flag that ``nntrain
#: grade``'s kernels have from the start (see :mod:`.execute`), so that the chapters' set-up
#: leaves IPython's error display alone
SETTLE = 'import os\nos.environ["NNTRAIN_GRADING"] = "1"\ndel os'


class InjectIntegrityChecks(Preprocessor):
    """Add the grader's snapshot and checks (a fresh key and secret for every notebook)."""

    def preprocess(self, nb, resources):
        """``nb`` with the integrity cells; the run's secret goes along in ``resources``."""
        run = integrity.Run()
        resources[_RUN] = run
        settle = v4.new_code_cell(SETTLE)
        settle.metadata[INJECTED] = True
        nb.cells = [settle] + integrity.inject(nb.cells, run)
        return nb, resources


class VerifyIntegrityChecks(Preprocessor):
    """Fail every test whose check did not run to its end; take the grader's cells out."""

    def preprocess(self, nb, resources):
        """``nb`` as the student wrote it, with the tests' outputs as they ran (or failed)."""
        run, guarded, findings = resources[_RUN], False, []
        for cell in nb.cells:
            if cell.metadata.get(INJECTED):
                findings += integrity.restored_names(integrity.printed(cell))
                if CHECK_INDEX in cell.metadata:
                    guarded = run.acknowledged(cell.metadata[CHECK_INDEX], integrity.printed(cell))
            elif nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
                if not guarded:
                    cell.outputs = [v4.new_output("error", ename="IntegrityCheckStopped", evalue=UNCHECKED,
                                                  traceback=[f"IntegrityCheckStopped: {UNCHECKED}"])]
                    findings.append(f"stopped the check before {nbgrader_meta(cell).get('grade_id')}")
                guarded = False
        nb.cells = [c for c in nb.cells if not c.metadata.get(INJECTED)]
        resources[_FINDINGS] = sorted(set(findings))
        return nb, resources


class FlagTampering(Preprocessor):
    """A submission whose checks found something needs a manual grade (every cell of it)."""

    def preprocess(self, nb, resources):
        """Mark the submission in the gradebook; ``nb`` is unchanged."""
        findings = resources.get(_FINDINGS) or []
        if not findings:
            return nb, resources
        from nbgrader.api import Gradebook
        info = resources["nbgrader"]
        self.log.warning("%s flagged: %s", info["student"], ", ".join(findings)[:500])
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            for grade in notebook.grades:
                grade.needs_manual_grade = True
            gb.db.commit()
        return nb, resources
