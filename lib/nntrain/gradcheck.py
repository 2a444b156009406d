"""Gradient checking: compare an analytic gradient with centred finite differences.

For a scalar function f and an array x, the centred difference along element i is

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),

with error O(h²).  In float64, h = 1e-5 balances truncation error (∝ h²) against rounding
error (∝ eps_machine / h); the relative error between a correct analytic gradient and
this estimate is then typically below 1e-7.
"""
from __future__ import annotations

import numpy as np

from .checks import check_positive
from .reference import reference

__all__ = ["numerical_gradient", "numerical_gradient_array", "rel_error", "check_gradient"]


@reference("numerical_gradient")
def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.  It is called with ``x`` itself (perturbed in place), so it may
        also be a closure that reads ``x`` and ignores its argument.
    x : float64 ndarray, any shape
        Perturbed one element at a time, ``x[i] ± h``; afterwards it holds exactly its
        original values.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray shaped like ``x``, ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (it is perturbed in place)")
    h = check_positive(h, "h")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old                      # restore exactly, not old + h - h
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Numerical gradient of ``sum(f(x) * dout)`` for an array-valued ``f``.

    This is how a backward pass ``dx = backward(dout, cache)`` is checked: ``dx`` must equal
    the gradient of the scalar ⟨f(x), dout⟩.
    """
    return numerical_gradient(lambda z: np.sum(f(z) * dout), x, h)


def rel_error(a, b, tiny=1e-12):
    """Largest relative error max |a - b| / max(|a| + |b|, tiny), a scale-free comparison."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)))


def check_gradient(f, x, analytic, h=1e-5):
    """Relative error between ``analytic`` and the numerical gradient of ``f`` at ``x``."""
    return rel_error(analytic, numerical_gradient(f, np.array(x, dtype=np.float64), h))
