"""Layers as forward/backward pairs: affine, activations, dropout and normalization.

Every layer is two pure functions (the classic CS231n style)::

    out, cache = <layer>_forward(x, ...)        # cache: what the backward pass needs
    dx, ...    = <layer>_backward(dout, cache)  # dout = dL/dout, same shape as out

A cache is opaque: only the matching backward function reads it.  No function modifies
its inputs; every result is a new array (or a new dict).

Normalization (chapter 09): batch, spatial batch, layer and instance normalization differ
only in the axes the statistics are taken over and the axis that carries gamma and beta:

    h_hat = (h - mu) ⊘ sigma,   sigma = sqrt(var + eps),   z = gamma ⊙ h_hat + beta

with mu and the *biased* variance var (divide by the count) over the normalized axes.  Batch
norm is written out; the other three reuse it on a reshaped or transposed view of x (a
pixel is a sample of its channel; a sample's features are a batch of their own).

The functions marked ``@reference`` are the exercises of chapters 08 and 09.

In this book the dropout probability ``p`` is always the probability of DROPPING a unit;
the keep probability is 1 - p.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .checks import (as_float_array, check_bool, check_fraction, check_positive, check_probability,
                     check_rng, check_same_shape, check_shape)
from .reference import reference

__all__ = [
    "relu", "tanh", "ACTIVATIONS",
    "affine_forward", "affine_backward",
    "relu_forward", "relu_backward", "tanh_forward", "tanh_backward",
    "dropout_forward", "dropout_backward",
    "batchnorm_forward", "batchnorm_backward",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "layernorm_forward", "layernorm_backward",
    "instancenorm_forward",
]


# --------------------------------------------------------------------------- affine

def affine_forward(x, W, b):
    """Fully connected layer: out = x @ W + b.

    x (N, D), W (D, M), b (M,)  ->  out (N, M), cache = (x, W).
    """
    x = as_float_array(x, "x", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if W.shape[0] != x.shape[1]:
        raise ValueError(f"W must have one row per column of x: x is {x.shape}, W is {W.shape}")
    check_shape(b, (W.shape[1],), "b")
    return x @ W + b, (x, W)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    dout (N, M)  ->  dx = dout @ Wᵀ (N, D),  dW = xᵀ @ dout (D, M),  db = Σ_i dout_i (M,).
    """
    x, W = cache
    dout = as_float_array(dout, "dout")
    check_shape(dout, (x.shape[0], W.shape[1]), "dout")
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


# ---------------------------------------------------------------------- activations

def relu(x):
    """ReLU, element-wise: max(x, 0).  A plain callable (e.g. for ``layer_stats``)."""
    return np.maximum(x, 0)


def tanh(x):
    """Hyperbolic tangent, element-wise.  A plain callable (e.g. for ``layer_stats``)."""
    return np.tanh(x)


def relu_forward(x):
    """out = relu(x); cache = x."""
    x = as_float_array(x, "x")
    return relu(x), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the derivative at exactly 0 is taken as 0)."""
    x = cache
    dout = as_float_array(dout, "dout")
    check_same_shape(x, dout, "x", "dout")
    return dout * (x > 0)


def tanh_forward(x):
    """out = tanh(x); cache = out (the derivative is written with the output)."""
    x = as_float_array(x, "x")
    out = tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """dx = dout ⊙ (1 - tanh(x)²)."""
    out = cache
    dout = as_float_array(dout, "dout")
    check_same_shape(out, dout, "x", "dout")
    return dout * (1.0 - out ** 2)


#: activation name -> (plain function, forward, backward)
ACTIVATIONS = {
    "relu": (relu, relu_forward, relu_backward),
    "tanh": (tanh, tanh_forward, tanh_backward),
}


# -------------------------------------------------------------------------- dropout

@reference("dropout_forward")
def dropout_forward(x, p, rng, train=True, inverted=True):
    """Dropout.  ``p`` is the probability of DROPPING a unit (0 <= p < 1); keep prob 1 - p.

    Parameters
    ----------
    x : array, any shape
    p : float in [0, 1), the drop probability
    rng : numpy.random.Generator, draws the mask (only in train mode)
    train : bool
    inverted : bool, where the 1/(1 - p) rescaling happens

    Returns
    -------
    out : array shaped like x
    mask : float array shaped like x: 1.0 where the unit is kept (independently, with
        probability 1 - p), 0.0 where it is dropped.  In test mode, all ones.

    Inverted dropout (the practice):  train  out = x ⊙ mask / (1 - p);  test  out = x.
    Plain dropout (the lecture's form): train out = x ⊙ mask;           test  out = (1 - p) x.

    Either way the test output equals the expected train output, E[out] = x (inverted) or
    (1 - p) x (plain).  The lecture says "rescale by p" at test time, which is right only
    for p = 0.5: the factor is the KEEP probability 1 - p.
    """
    x = as_float_array(x, "x")
    p = check_probability(p, "p")
    rng = check_rng(rng)
    train = check_bool(train, "train")
    inverted = check_bool(inverted, "inverted")
    if train:
        mask = (rng.random(x.shape) >= p).astype(x.dtype)     # P(kept) = P(U >= p) = 1 - p
        out = x * mask / (1.0 - p) if inverted else x * mask
    else:
        mask = np.ones_like(x)
        out = x.copy() if inverted else x * (1.0 - p)
    return out, mask


@reference("dropout_backward")
def dropout_backward(dout, mask, p, inverted=True):
    """Backward pass of train-mode dropout (``p`` = probability of DROPPING a unit).

    dx = dout ⊙ mask / (1 - p)  (inverted)   or   dx = dout ⊙ mask  (plain).

    Only for train mode: the test-mode layer is the identity (inverted) or the constant
    factor 1 - p (plain), whose gradients are dout and (1 - p) dout.
    """
    dout = as_float_array(dout, "dout")
    mask = as_float_array(mask, "mask")
    check_same_shape(dout, mask, "dout", "mask")
    p = check_probability(p, "p")
    inverted = check_bool(inverted, "inverted")
    return dout * mask / (1.0 - p) if inverted else dout * mask


# -------------------------------------------------------------------- normalization

def _check_norm_inputs(x, gamma, beta, ndim, channel_axis, eps, layout):
    x = as_float_array(x, "x", ndim=ndim)
    size = x.shape[channel_axis]
    gamma = check_shape(as_float_array(gamma, "gamma"), (size,), "gamma")
    beta = check_shape(as_float_array(beta, "beta"), (size,), "beta")
    eps = check_positive(eps, "eps")
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape} (expected {layout})")
    return x, gamma, beta, eps


def _check_running(running, size):
    if not isinstance(running, Mapping):
        raise TypeError(f"running must be a dict with keys 'mean' and 'var', "
                        f"got {type(running).__name__}")
    if set(running) != {"mean", "var"}:
        raise ValueError(f"running must have exactly the keys 'mean' and 'var', got {sorted(running)}")
    mean = check_shape(as_float_array(running["mean"], "running['mean']"), (size,), "running['mean']")
    var = check_shape(as_float_array(running["var"], "running['var']"), (size,), "running['var']")
    if np.any(var < 0):
        raise ValueError("running['var'] must be >= 0")
    return mean, var


@reference("batchnorm_forward")
def batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    """Batch normalization for fully connected layers: statistics per feature over the batch.

    z = gamma ⊙ (x - mu) ⊘ sigma + beta,   sigma = sqrt(var + eps).

    Parameters
    ----------
    x : (N, D)
    gamma, beta : (D,)
    running : dict {"mean": (D,), "var": (D,)}, the running statistics (never modified)
    train : bool.  Train: mu, var = mean and biased variance (divide by N) of this batch.
        Test: mu, var = running["mean"], running["var"].
    momentum : float in [0, 1]
    eps : float > 0

    Returns
    -------
    out : (N, D)
    cache : for ``batchnorm_backward``.  In test mode the cache holds the (constant)
        running statistics, so the backward pass also works there: dx = gamma ⊙ dout ⊘ sigma.
    running_next : a NEW dict.  Train: momentum * running + (1 - momentum) * batch
        statistic, for "mean" and "var" (an exponential moving average).  Test: equal to
        running (copies).
    """
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, 2, 1, eps, "(N, D)")
    mean, var = _check_running(running, x.shape[1])
    momentum = check_fraction(momentum, "momentum", high_inclusive=True)
    train = check_bool(train, "train")
    if train:
        mu, v = x.mean(axis=0), x.var(axis=0)            # biased: divide by N
        running_next = {"mean": momentum * mean + (1.0 - momentum) * mu,
                        "var": momentum * var + (1.0 - momentum) * v}
    else:
        mu, v = mean, var
        running_next = {"mean": mean.copy(), "var": var.copy()}
    inv_sigma = 1.0 / np.sqrt(v + eps)
    x_hat = (x - mu) * inv_sigma
    cache = {"x_hat": x_hat, "inv_sigma": inv_sigma, "gamma": gamma, "train": train}
    return gamma * x_hat + beta, cache, running_next


@reference("batchnorm_backward")
def batchnorm_backward(dout, cache):
    """Backward pass of ``batchnorm_forward``: dout (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,)).

    Train mode (compact form; x_hat the normalized input, means over the batch):
        dbeta = Σ_i dout_i,   dgamma = Σ_i dout_i ⊙ x_hat_i,
        dx = (gamma ⊘ sigma) ⊙ (dout - mean(dout) - x_hat ⊙ mean(dout ⊙ x_hat)).
    Test mode (statistics are constants): dx = gamma ⊙ dout ⊘ sigma.
    """
    x_hat = cache["x_hat"]
    dout = as_float_array(dout, "dout")
    check_same_shape(x_hat, dout, "x", "dout")
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * cache["gamma"]
    if cache["train"]:
        dx_hat = dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)
    return dx_hat * cache["inv_sigma"], dgamma, dbeta


@reference("spatial_batchnorm_forward")
def spatial_batchnorm_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    """Spatial batch normalization (BatchNorm2D): statistics per channel over N, H, W.

    x (N, C, H, W); gamma, beta, running["mean"], running["var"] (C,).  This is
    ``batchnorm_forward``, with the same train/test semantics and running statistics,
    applied to x viewed as (N*H*W, C): each pixel of each sample counts as one sample of
    its channel's batch.
    Returns (out (N, C, H, W), cache, running_next).
    """
    x = as_float_array(x, "x", ndim=4)
    n, c, h, w = x.shape
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, c)          # (N*H*W, C)
    out2, cache2, running_next = batchnorm_forward(pixels, gamma, beta, running,
                                                   train=train, momentum=momentum, eps=eps)
    out = out2.reshape(n, h, w, c).transpose(0, 3, 1, 2)
    return out, (cache2, x.shape), running_next


@reference("spatial_batchnorm_backward")
def spatial_batchnorm_backward(dout, cache):
    """Backward pass of ``spatial_batchnorm_forward``: dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    cache2, shape = cache
    dout = as_float_array(dout, "dout")
    check_shape(dout, shape, "dout")
    n, c, h, w = shape
    dx2, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, c), cache2)
    return dx2.reshape(n, h, w, c).transpose(0, 3, 1, 2), dgamma, dbeta


@reference("layernorm_forward")
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalization: statistics per sample over its D features.

    x (N, D); gamma, beta (D,).  mu, var (N, 1) are the mean and biased variance of each
    row; z = gamma ⊙ (x - mu) ⊘ sqrt(var + eps) + beta.  Same behaviour in train and test
    (no running statistics).  Returns (out (N, D), cache).

    Written with batch norm on xᵀ: the D features of one sample are a batch of their own.
    """
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, 2, 1, eps, "(N, D)")
    n = x.shape[0]
    unit = {"mean": np.zeros(n), "var": np.ones(n)}
    x_hat_t, cache_t, _ = batchnorm_forward(x.T, np.ones(n), np.zeros(n), unit, eps=eps)
    x_hat = x_hat_t.T
    return gamma * x_hat + beta, {"bn_t": cache_t, "x_hat": x_hat, "gamma": gamma}


@reference("layernorm_backward")
def layernorm_backward(dout, cache):
    """Backward pass of ``layernorm_forward``: dout (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,)).

    The batch-norm formula with the means taken over the features of each sample.
    """
    dout = as_float_array(dout, "dout")
    check_same_shape(cache["x_hat"], dout, "x", "dout")
    dgamma = (dout * cache["x_hat"]).sum(axis=0)
    dx_t, _, _ = batchnorm_backward((dout * cache["gamma"]).T, cache["bn_t"])
    return dx_t.T, dgamma, dout.sum(axis=0)


@reference("instancenorm_forward")
def instancenorm_forward(x, gamma, beta, eps=1e-5):
    """Instance normalization: statistics per sample and channel over H, W.

    x (N, C, H, W); gamma, beta (C,).  mu, var (N, C, 1, 1); same behaviour in train and
    test.  Returns (out (N, C, H, W), cache).

    Written with layer norm: each (sample, channel) plane of H*W pixels is one "sample".
    """
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, 4, 1, eps, "(N, C, H, W)")
    n, c, h, w = x.shape
    planes = x.reshape(n * c, h * w)
    x_hat, cache = layernorm_forward(planes, np.ones(h * w), np.zeros(h * w), eps=eps)
    x_hat = x_hat.reshape(x.shape)
    return gamma[:, None, None] * x_hat + beta[:, None, None], {"planes": cache, "x_hat": x_hat}
