"""Input checks shared by every library function.

Bad input must fail loudly and early, with a message that names the argument, instead of
giving a silently wrong answer.  Each helper returns the (possibly converted) value so a
function can write ``x = as_float_array(x, "x", ndim=2)`` in one line.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_int_array",
    "check_finite",
    "check_same_shape",
    "check_shape",
    "check_positive",
    "check_nonnegative",
    "check_fraction",
    "check_probability",
    "check_int",
    "check_rng",
    "check_state",
]

_REAL_KINDS = ("f", "i", "u")   # numpy dtype kinds of real numbers (not bool "b")


def as_float_array(x, name, ndim=None, min_ndim=None, finite=False):
    """Return ``x`` as a floating-point ndarray (float32 stays float32, ints become float64).

    Raises ``TypeError`` for non-numeric input (strings, objects, booleans, complex) and
    ``ValueError`` when ``ndim`` / ``min_ndim`` do not match or, with ``finite=True``,
    when the array holds NaN or inf.
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind              # "f" float, "i"/"u" integer; bool is "b", complex "c"
    if kind not in _REAL_KINDS:
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if kind != "f":
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if finite:
        check_finite(arr, name)
    return arr


def as_int_array(y, name, ndim=1):
    """Return integer labels ``y`` as an int64 ndarray; floats with integral values are accepted."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        raise TypeError(f"{name} must hold integer labels, got dtype bool")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise TypeError(f"{name} must hold integer labels, got non-integral floats")
        arr = arr.astype(np.int64)
    elif not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


def check_finite(arr, name):
    """Raise ``ValueError`` if ``arr`` holds NaN or inf."""
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, but it holds NaN or inf")
    return arr


def check_shape(arr, shape, name):
    """Raise ``ValueError`` unless ``arr.shape == shape`` (``None`` in ``shape`` matches any size)."""
    shape = tuple(shape)
    ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
    if not ok:
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    return arr


def check_same_shape(a, b, name_a, name_b):
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if _shape(a) != _shape(b):
        raise ValueError(f"{name_b} must have the same shape as {name_a}: "
                         f"{name_a} is {np.shape(a)}, {name_b} is {np.shape(b)}")


def _shape(x) -> tuple:
    """``np.shape(x)``, read directly from an array (the usual case, several times faster)."""
    return x.shape if isinstance(x, np.ndarray) else np.shape(x)


def _real_scalar(value, name):
    if type(value) is not float:       # (a Python float, the usual case, needs no more checks)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(value, name):
    """Return ``float(value)``; ``ValueError`` unless it is a finite number > 0."""
    value = _real_scalar(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_nonnegative(value, name):
    """Return ``float(value)``; ``ValueError`` unless it is a finite number >= 0."""
    value = _real_scalar(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_fraction(value, name, low_inclusive=True, high_inclusive=False):
    """Return ``float(value)``; ``ValueError`` unless it lies in [0, 1) (bounds configurable)."""
    value = _real_scalar(value, name)
    low_ok = value >= 0 if low_inclusive else value > 0
    high_ok = value <= 1 if high_inclusive else value < 1
    if not (low_ok and high_ok):
        interval = ("[" if low_inclusive else "(") + "0, 1" + ("]" if high_inclusive else ")")
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def check_probability(p, name="p"):
    """A drop probability: ``ValueError`` unless 0 <= p < 1."""
    return check_fraction(p, name, low_inclusive=True, high_inclusive=False)


def check_bool(value, name):
    """Return ``bool(value)``; ``TypeError`` unless it is a bool (so that train="False" or
    train=0 cannot slip through)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_int(value, name, minimum=None):
    """Return ``int(value)``; ``TypeError`` for non-integers, ``ValueError`` below ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_rng(rng, name="rng"):
    """``TypeError`` unless ``rng`` is a ``numpy.random.Generator`` (no global seeds in this book)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def check_state(state, w, name):
    """An optimizer state (velocity, moments) must be an array shaped like ``w``."""
    state = as_float_array(state, name)
    check_same_shape(w, state, "w", name)
    return state
