"""Marks the library's reference implementations of the graded functions.

The library holds a reference implementation of every function the students write, so
that later chapters and figures work even for a student who has not solved an earlier
exercise.  A student's exercise that merely calls that reference must not earn points.

``@reference("adam_step")`` registers a function under its contract name.  While a grading
test runs a student's function inside ``forbid("adam_step", ...)``, any call of a
forbidden reference raises :class:`DelegationError`, whether the student imported it at top
level, inside the function, under another name, or reached it through a stateful class
that shares the same update kernel (kernels call :func:`guard` themselves).
"""
from __future__ import annotations

import contextlib
import functools
import inspect

from .contract import CONTRACT

__all__ = ["DelegationError", "reference", "guard", "forbid", "REFERENCES", "CHAPTERS"]

#: contract name -> reference function
REFERENCES: dict = {}

_forbidden: set = set()


class DelegationError(RuntimeError):
    """Raised when an exercise calls the library's own solution instead of implementing it."""


def guard(name):
    """Raise :class:`DelegationError` if the reference ``name`` is forbidden right now."""
    if _forbidden and name in _forbidden:
        raise DelegationError(
            f"your code called the library's reference implementation of {name}; the exercises "
            f"of this chapter must be written with NumPy, without the library's solutions")


def reference(name):
    """Decorator: register ``fn`` as the reference of the contract function ``name``."""

    def decorate(fn):
        """Register ``fn`` and return it behind the delegation guard."""
        def wrapper(*args, **kwargs):
            """``fn``, unless it is forbidden right now (its docstring replaces this one)."""
            guard(name)
            return fn(*args, **kwargs)

        functools.update_wrapper(wrapper, fn)
        del wrapper.__wrapped__          # the guard must not be bypassable by unwrapping
        wrapper.__signature__ = inspect.signature(fn)
        REFERENCES[name] = wrapper
        return wrapper

    return decorate


@contextlib.contextmanager
def forbid(*names):
    """Within the block, calling any of the named references raises ``DelegationError``."""
    added = set(names) - _forbidden
    _forbidden.update(added)
    try:
        yield
    finally:
        _forbidden.difference_update(added)


@contextlib.contextmanager
def _lifted():
    """Within the block nothing is forbidden.  For the tests only: they run a correct version
    of the function an exercise builds on (see ``nntrain.testing.call(builds_on=...)``)."""
    saved = set(_forbidden)
    _forbidden.clear()
    try:
        yield
    finally:
        _forbidden.update(saved)


#: The update rules of chapters 01-05 can stand in for each other (SGD is momentum with
#: rho = 0, RMSProp is Adam with beta1 = 0, an EMA update is a momentum step), so each of
#: those chapters forbids all of them.
_UPDATE_RULES = tuple(name for ch in ("01_sgd", "02_momentum", "03_rmsprop", "04_moving_averages",
                                      "05_adam") for name in CONTRACT[ch]
                      if name not in ("mse_gradient", "max_stable_lr"))

#: chapter id -> the references a test of that chapter forbids while it runs a student's
#: function: the chapter's own graded functions and, in chapters 01-05, every update rule.
CHAPTERS = {ch: tuple(dict.fromkeys(names + (_UPDATE_RULES if ch in (
    "01_sgd", "02_momentum", "03_rmsprop", "04_moving_averages", "05_adam") else ())))
    for ch, names in CONTRACT.items()}
