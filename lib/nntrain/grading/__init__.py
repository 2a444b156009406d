"""Grading a class: ``nntrain grade`` (the course's files and release are :mod:`nntrain.course`).

Data flows one way, one submission at a time, then the batch::

    submitted/<student>/<chapter>/<chapter>.ipynb
        │ submissions   find and read it                     -> Submission, notebook
        │ assemble      rebuild it around the instructor's cells (hidden tests from the gradebook)
        │ integrity     add the grader's snapshot and checks  (integrity_kernel runs in the kernel)
        │ execute       run it cell by cell, limited          (sandbox, _launch: where the kernel runs;
        │                                                      warm, _warm: the kernel forked warm)
        │ score         points per test cell, status, reason  (scan: the static check)
        ▼                                                    -> Row of TestResult
    feedback page, autograded notebook (per submission)
    results (grades.csv, grades_tests.csv) · gradebook (nbgrader) · report (the class at a glance)

- :mod:`.records`: the records passed along (``Submission``, ``TestResult``, ``Row``) and the
  marks the grader puts on cells.
- :mod:`.submissions`, :mod:`.assemble`, :mod:`.integrity` (+ :mod:`.integrity_kernel`),
  :mod:`.execute` (+ :mod:`.sandbox`, :mod:`._launch`, :mod:`.warm`, :mod:`._warm`),
  :mod:`.score` (+ :mod:`.scan`): the stages above.
- :mod:`.feedback`, :mod:`.results`, :mod:`.gradebook`, :mod:`.report`: what a batch writes.
- :mod:`.grade`: the command, which runs the stages for every submission, ``--jobs`` at once.
"""
