"""The course as files, and the ``nntrain`` command (the instructor's tools; the student
edition leaves this package out, like :mod:`nntrain.grading`).

::

    solutions/<id>/<id>.ipynb ──release──> chapters/<id>/<id>.ipynb   (nbgrader generate_assignment)
              │                                       │
              ├──book (executed once, cached)──> build/book/*.html
              └──edition──────────────────────> build/student-edition/ (chapters + student library)

- :mod:`.layout`: where the course lives (its root, its chapters) and how nbgrader is called.
- :mod:`.notebook`: notebook hygiene (no outputs, stable ids) and nbgrader's cell metadata.
- :mod:`.release`: ``nntrain release`` (solutions/ -> chapters/), and the gradebook's lock.
- :mod:`.book`: the static HTML textbook, and the cached execution of the solution notebooks.
- :mod:`.edition`: ``nntrain student-edition`` (the course as a class receives it).
- :mod:`.glossary`: the Chinese-English glossary and its annotations in the chapters.
- :mod:`.files`: atomic writes and file locks, shared by every writer above and by grading.
- :mod:`.cli`: the ``nntrain`` command, which also runs :mod:`nntrain.grading`.

Every notebook run here (book, edition, grading, and nbgrader's own through
``nbgrader_config.py``) uses :mod:`nntrain.kernel`'s client, whose shell channel cannot miss
a cell's reply; it lives outside this package because the student edition needs it too (its
Validate button).
"""
