"""The course pipeline: generate the student chapters and grade a class.

- :mod:`nntrain.grading.course`: where the course lives and how nbgrader is called.
- :mod:`nntrain.grading.release`: ``nntrain release`` (solutions/ -> chapters/).
- :mod:`nntrain.grading.assemble`: rebuilds a submission around the instructor's cells.
- :mod:`nntrain.grading.execute`: runs a notebook cell by cell in a limited kernel.
- :mod:`nntrain.grading.sandbox`: where that kernel runs (namespaces, its own uid, limits),
  started by the standalone launcher ``_launch.py``.
- :mod:`nntrain.grading.integrity`: the grader's cells that undo tampering before each test.
- :mod:`nntrain.grading.feedback`: the feedback page of one submission.
- :mod:`nntrain.grading.grade`: ``nntrain grade`` (scores, CSV, feedback).
"""
