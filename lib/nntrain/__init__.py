"""nntrain: the NumPy library of the course "Training and optimizing neural networks".

``EDITION`` says which build this is.  The instructor's library ("instructor") holds a
reference implementation of every graded function; the student edition's ("student", written
by ``nntrain student-edition``) holds none and calls the student's own solutions instead
(see :mod:`nntrain.student`).  Everything else is the same code in both.
"""

EDITION = "instructor"
