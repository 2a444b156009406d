"""nbgrader configuration: this folder (the repository root) is the course root.

Run nbgrader's own commands from here (nbgrader reads this file only from the current
directory).  `nntrain release` and `nntrain grade` use the same settings.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

ROOT = os.path.dirname(os.path.abspath(__file__))
AUTOGRADER = os.path.join(ROOT, "autograder")

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "nntrain"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "chapters"
c.CourseDirectory.submitted_directory = os.path.join("autograder", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("autograder", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("autograder", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(AUTOGRADER, "gradebook.db")

# Student versions: the body of a solution becomes this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding with nbgrader's own `autograde`: restore deleted test cells, never honour a
# tag a student can add to skip tests, a per-cell time limit, bounded output.
c.OverwriteCells.add_missing_cells = True
c.Execute.skip_cells_with_tag = "nntrain-instructor-only-skip-3f9c"
c.Execute.timeout = 120
# nbgrader's own runs of a notebook (Validate, autograde) use the course's kernel client: with
# jupyter_client's, a chapter with a widget (01-05, 07) could wait out the 120 s above in a cell
# on a busy machine (jupyter/nbclient#312; see nntrain.kernel), and the Validate button
# holds up the whole Jupyter server while it runs.  `nbgrader validate` on 04, four at a time on
# two busy cores: 4 of 12 runs took 130 s before, none of 24 over 16 s after
c.KernelManager.client_class = "nntrain.kernel.KernelClient"
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# Feedback never shows the hidden tests' source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# `nbgrader autograde` with nntrain's integrity checks before every test (a submission that
# rebinds numpy.testing's or the library's functions fails its tests and needs a manual
# grade); grade with `nntrain grade` all the same, which adds the sandbox and the limits
# (see nntrain.grading.nbgrader_autograde).
from nntrain.grading.nbgrader_autograde import AUTOGRADE_PREPROCESSORS  # noqa: E402
c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
