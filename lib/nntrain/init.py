"""Weight initialization (chapter 07) and the activation statistics that judge it.

Every initializer returns a weight matrix W of shape (fan_in, fan_out) for a layer
h_next = activation(h @ W), drawn from a zero-mean Gaussian:

    gaussian_init           N(0, std²), std = 0.01 by default (the lecture's first rule)
    truncated_normal_init   N(0, std²) restricted to |w| <= 2 std (redrawn, not clipped)
    scaled_init             N(0, 1/fan_in)  (sigma_i = 1/sqrt(# neurons of layer i-1))
    he_init                 N(0, 2/fan_in)  (for ReLU, which zeroes half of its input)

Biases start at zero and are not drawn here.
"""
from __future__ import annotations

import numpy as np

from .checks import as_float_array, check_int, check_positive, check_rng
from .reference import reference

__all__ = ["gaussian_init", "truncated_normal_init", "scaled_init", "he_init", "layer_stats",
           "INITIALIZERS", "initialize"]


def _check_fans(fan_in, fan_out, rng):
    return (check_int(fan_in, "fan_in", minimum=1), check_int(fan_out, "fan_out", minimum=1),
            check_rng(rng))


@reference("gaussian_init")
def gaussian_init(fan_in, fan_out, rng, std=0.01):
    """W ~ N(0, std²), shape (fan_in, fan_out)."""
    fan_in, fan_out, rng = _check_fans(fan_in, fan_out, rng)
    std = check_positive(std, "std")
    return rng.normal(0.0, std, size=(fan_in, fan_out))


@reference("truncated_normal_init")
def truncated_normal_init(fan_in, fan_out, rng, std=0.01):
    """W ~ N_T(0, std²): N(0, std²) restricted to |w| <= 2 std, shape (fan_in, fan_out).

    Entries outside the range are REDRAWN until none is left, which gives exactly the
    truncated distribution.  (Clipping them to ±2 std instead would pile about 4.6% of
    the entries onto the two boundary values.)  The std of the result is about
    0.8796 * std, since the tails are cut off.
    """
    fan_in, fan_out, rng = _check_fans(fan_in, fan_out, rng)
    std = check_positive(std, "std")
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2.0 * std
    while outside.any():
        W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(W) > 2.0 * std
    return W


@reference("scaled_init")
def scaled_init(fan_in, fan_out, rng):
    """W ~ N(0, 1/fan_in): sigma = 1/sqrt(fan_in), fan_in = # neurons of the previous layer.

    Keeps the variance of h @ W equal to the mean square of h (for a linear layer).
    """
    fan_in, fan_out, rng = _check_fans(fan_in, fan_out, rng)
    return rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(fan_in, fan_out))


@reference("he_init")
def he_init(fan_in, fan_out, rng):
    """W ~ N(0, 2/fan_in), i.e. std sqrt(2/fan_in) (He et al. 2015, for ReLU layers).

    ReLU keeps half of its input, so the factor 2 makes up for the lost half of the
    second moment.
    """
    fan_in, fan_out, rng = _check_fans(fan_in, fan_out, rng)
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


@reference("layer_stats")
def layer_stats(X, weights, activation):
    """Mean and population std of the activations after each layer of a bias-free network.

    h_0 = X;  h_l = activation(h_{l-1} @ W_l)  for each W_l in ``weights``, in order.

    Parameters
    ----------
    X : (N, D) input (not listed in the result)
    weights : sequence of 2-D arrays, W_1 (D, H_1), W_2 (H_1, H_2), ...
    activation : callable applied element-wise, e.g. ``nntrain.layers.relu``, ``np.tanh``

    Returns
    -------
    list of (mean, std) Python floats, one per layer: the mean and the std with ddof = 0
    over all entries of h_l.
    """
    h = as_float_array(X, "X", ndim=2)
    if not callable(activation):
        raise TypeError(f"activation must be a callable, got {type(activation).__name__}")
    stats = []
    for i, W in enumerate(weights):
        W = as_float_array(W, f"weights[{i}]", ndim=2)
        if W.shape[0] != h.shape[1]:
            raise ValueError(f"weights[{i}] must have {h.shape[1]} rows to follow the previous "
                             f"layer, got shape {W.shape}")
        h = np.asarray(activation(h @ W))
        stats.append((float(h.mean()), float(h.std())))
    return stats


#: name -> initializer(fan_in, fan_out, rng) (gaussian and truncated use std = 0.01)
INITIALIZERS = {
    "gaussian": gaussian_init,
    "truncated": truncated_normal_init,
    "scaled": scaled_init,
    "he": he_init,
}

#: the initializers whose std is a free choice (the others compute it from fan_in)
_WITH_STD = ("gaussian", "truncated")


def initialize(name, fan_in, fan_out, rng, std=None):
    """W = INITIALIZERS[name](fan_in, fan_out, rng), with a clear error for an unknown name.

    ``std`` overrides the default 0.01 of "gaussian" and "truncated"; "scaled" and "he"
    compute their std from fan_in, so giving one there is an error.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {sorted(INITIALIZERS)}, got {type(name).__name__}")
    if name not in INITIALIZERS:
        raise ValueError(f"name must be one of {sorted(INITIALIZERS)}, got {name!r}")
    if std is None:
        return INITIALIZERS[name](fan_in, fan_out, rng)
    if name not in _WITH_STD:
        raise ValueError(f"std can only be given for the initializers {_WITH_STD}; "
                         f"{name!r} computes its std from fan_in")
    return INITIALIZERS[name](fan_in, fan_out, rng, std=std)
