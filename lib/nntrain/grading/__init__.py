"""The course pipeline: generate the student chapters and grade a class.

- :mod:`nntrain.grading.course`: where the course lives and how nbgrader is called.
- :mod:`nntrain.grading.release`: ``nntrain release`` (solutions/ -> chapters/).
- :mod:`nntrain.grading.assemble`: rebuilds a submission around the instructor's cells.
- :mod:`nntrain.grading.execute`: runs a notebook in a resource-limited kernel.
- :mod:`nntrain.grading.grade`: ``nntrain grade`` (scores, CSV, feedback).
"""
