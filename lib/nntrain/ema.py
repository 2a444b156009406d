"""Exponential moving averages (滑动平均), the idea behind momentum, RMSProp and Adam.

One recurrence, with the decay rate rho in [0, 1):

    s_t = rho * s_{t-1} + (1 - rho) * x_t,        t = 1, 2, ...

Unrolled from s_0 (the lecture's derivation):

    s_n = rho**n * s_0 + sum_{i=1..n} (1 - rho) * rho**(n-i) * x_i,

so with s_0 = 0 the weights of x_1 ... x_n sum to 1 - rho**n, not to 1: early averages are
biased towards the starting value 0.  Dividing by 1 - rho**t removes that bias (Adam's bias
correction).  rho = 0 is allowed and means no averaging at all (s_t = x_t); rho = 1 would
never move away from s_0 and is rejected.

These are the exercises of chapter 04 (each marked ``@reference``); RMSProp's s and Adam's m
and s in :mod:`nntrain.optim` are the same recurrence.
"""
from __future__ import annotations

import numpy as np

from .checks import as_float_array, check_fraction, check_int
from .reference import reference

__all__ = ["ema_update", "ema", "ema_weights", "debiased_ema"]


def _start(s, x, s_name, x_name):
    """A new float array holding ``s`` (a scalar or shaped like ``x``) broadcast to x's shape."""
    s = as_float_array(s, s_name)
    if s.ndim and s.shape != x.shape:
        raise ValueError(f"{s_name} must be a scalar or have the shape {x.shape} of {x_name}, "
                         f"got shape {s.shape}")
    return np.array(np.broadcast_to(s, x.shape), dtype=np.result_type(s, x))


@reference("ema_update")
def ema_update(s, x, rho):
    """One step of the moving average: s_next = rho * s + (1 - rho) * x.

    Parameters
    ----------
    s : float or ndarray -- the previous average s_{t-1}, a scalar or shaped like ``x``
    x : float or ndarray -- the new value x_t
    rho : float in [0, 1) -- decay rate (rho = 0: no averaging, s_next = x)

    Returns
    -------
    s_next : new ndarray shaped like ``x`` (float32 if both inputs are float32)
    """
    rho = check_fraction(rho, "rho")
    x = as_float_array(x, "x")
    s = _start(s, x, "s", "x")
    return rho * s + (1 - rho) * x


@reference("ema")
def ema(xs, rho, s0=0.0):
    """The averages s_1 ... s_n of the sequence x_1 ... x_n = xs[0] ... xs[n-1].

    Parameters
    ----------
    xs : (n, ...) array -- the first axis is time; later axes are averaged independently
    rho : float in [0, 1) -- decay rate
    s0 : float or array shaped like xs[0] -- the starting value s_0

    Returns
    -------
    s : ndarray of xs's shape, s[t-1] = s_t = rho * s_{t-1} + (1 - rho) * x_t
    """
    rho = check_fraction(rho, "rho")
    xs = as_float_array(xs, "xs", min_ndim=1)
    s = _start(s0, np.empty(xs.shape[1:], xs.dtype), "s0", "xs[0]")
    out = np.empty(xs.shape, dtype=s.dtype)
    for t in range(len(xs)):
        s = ema_update(s, xs[t], rho)
        out[t] = s
    return out


@reference("ema_weights")
def ema_weights(n, rho):
    """Weight of each x_1 ... x_n in s_n when s_0 = 0.

    weights[i] = (1 - rho) * rho**(n - 1 - i) is the weight of x_{i+1} (i = 0 ... n-1): the
    newest value weighs most.  They sum to 1 - rho**n (a geometric series), which tends
    to 1 only as n grows.  n = 0 gives an empty array (sum 0 = 1 - rho**0).

    Returns
    -------
    weights : (n,) float64 array
    """
    n = check_int(n, "n", minimum=0)
    rho = check_fraction(rho, "rho")
    return (1 - rho) * rho ** np.arange(n - 1, -1, -1, dtype=np.float64)


@reference("debiased_ema")
def debiased_ema(xs, rho):
    """Bias-corrected averages s_t / (1 - rho**t), t = 1 ... n, with s_t the EMA from s_0 = 0.

    Since the weights of s_t sum to 1 - rho**t, dividing by it makes them sum to 1: the
    average of a constant sequence is that constant from the very first step.

    Parameters
    ----------
    xs : (n, ...) array, first axis time;  rho : float in [0, 1)

    Returns
    -------
    ndarray of xs's shape
    """
    s = ema(xs, rho)
    t = np.arange(1, len(s) + 1).reshape((-1,) + (1,) * (s.ndim - 1))
    return s / (1 - float(rho) ** t)
