"""Loss functions with their gradients.

Softmax cross-entropy (the classifier's loss) and the mean squared error of a linear
model (the running example of the SGD chapter).
"""
from __future__ import annotations

import numpy as np

from .checks import as_float_array, as_int_array
from .reference import reference

__all__ = ["softmax", "softmax_cross_entropy", "mse_loss", "mse_gradient"]


def softmax(scores):
    """Row-wise softmax of ``scores`` (N, C), shifted by the row maximum for stability."""
    scores = as_float_array(scores, "scores", ndim=2)
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


@reference("softmax_cross_entropy")
def softmax_cross_entropy(scores, y):
    """Mean softmax cross-entropy and its gradient.

    L = -(1/N) Σ_i log softmax(scores_i)[y_i],  with softmax(s)_c = exp(s_c) / Σ_k exp(s_k).

    Parameters
    ----------
    scores : (N, C) float array
    y : (N,) integer labels in [0, C)

    Returns
    -------
    loss : float
    dscores : (N, C) array, dL/dscores = (softmax(scores) - onehot(y)) / N

    Subtracting the row maximum before exponentiating leaves the result unchanged and
    keeps exp() from overflowing for scores of magnitude 1e3.
    """
    scores = as_float_array(scores, "scores", ndim=2, finite=True)
    y = as_int_array(y, "y")
    n, c = scores.shape
    if y.shape[0] != n:
        raise ValueError(f"y must have one label per row of scores: scores has {n} rows, y has {y.shape[0]}")
    if n == 0:
        raise ValueError("scores must hold at least one sample")
    if y.size and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"y must hold labels in [0, {c}), got values in [{y.min()}, {y.max()}]")
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1.0
    dscores /= n
    return float(loss), dscores


def _check_linear(w, X, y):
    X = as_float_array(X, "X", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if X.shape[1] != w.shape[0]:
        raise ValueError(f"w must have one entry per column of X: X is {X.shape}, w is {w.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"y must have one entry per row of X: X is {X.shape}, y is {y.shape}")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one sample")
    return w, X, y


def mse_loss(w, X, y):
    """Mean squared error of the linear model: f(w) = mean((X w - y)²).  X (N, D), w (D,), y (N,)."""
    w, X, y = _check_linear(w, X, y)
    r = X @ w - y
    return float(np.mean(r ** 2))


@reference("mse_gradient")
def mse_gradient(w, X, y):
    """Gradient of f(w) = mean((X w - y)²):  ∇f(w) = (2/N) Xᵀ (X w - y).

    X (N, D), w (D,), y (N,) -> (D,).  On a mini-batch (a subset of the rows) it is the
    stochastic gradient: an unbiased estimate of the full-data gradient.
    """
    w, X, y = _check_linear(w, X, y)
    return (2.0 / X.shape[0]) * (X.T @ (X @ w - y))
