"""Data preprocessing (chapter 06): centering, variance normalization, PCA and ZCA whitening.

X is always a data matrix (N, D): one sample per row, one feature per column.  Statistics
(mean, std, the whitening matrix) are computed on the TRAINING data only and then applied,
unchanged, to validation and test data (``apply_standardize``, ``whiten``).
"""
from __future__ import annotations

import numpy as np

from .checks import as_float_array, check_nonnegative, check_shape
from .reference import guard, reference

__all__ = ["center", "standardize", "whitening_matrix", "apply_standardize", "whiten"]


def _check_data(X, name="X"):
    X = as_float_array(X, name, ndim=2)
    if X.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one sample (row), got shape {X.shape}")
    return X


def _check_stat(v, D, name):
    return check_shape(as_float_array(v, name), (D,), name)


@reference("center")
def center(X):
    """Centering: subtract the mean of every feature.

    X (N, D)  ->  Xc = X - mean (N, D),  mean = (1/N) Σ_i x_i  (D,).
    """
    X = _check_data(X)
    mean = X.mean(axis=0)
    return X - mean, mean


def apply_standardize(X, mean, std, eps=1e-8):
    """(X - mean) / (std + eps) with given statistics, e.g. the training set's on test data.

    X (N, D); mean, std (D,).
    """
    guard("standardize")        # the formula of chapter 06's exercise: a solution may not call it
    X = _check_data(X)
    mean = _check_stat(mean, X.shape[1], "mean")
    std = _check_stat(std, X.shape[1], "std")
    eps = check_nonnegative(eps, "eps")
    if np.any(std < 0):
        raise ValueError("std must be >= 0")
    return (X - mean) / (std + eps)


@reference("standardize")
def standardize(X, eps=1e-8):
    """Variance normalization: every feature gets mean 0 and std 1.

    X (N, D)  ->  Xs = (X - mean) / (std + eps) (N, D), mean (D,), std (D,),
    with the population std (divide by N).  eps keeps a constant feature (std 0) finite:
    it becomes 0 instead of 0/0.
    """
    X = _check_data(X)
    eps = check_nonnegative(eps, "eps")
    mean = X.mean(axis=0)
    std = X.std(axis=0)                  # ddof = 0: divide by N
    return (X - mean) / (std + eps), mean, std


@reference("whitening_matrix")
def whitening_matrix(X, method="pca", eps=1e-5):
    """The whitening matrix W of the data X, so that (X - mean) @ W has identity covariance.

    With the covariance C = (1/N) Σ_i (x_i - mean)(x_i - mean)ᵀ = U diag(lam) Uᵀ
    (eigen-decomposition, columns of U the eigenvectors):

        PCA whitening   W = U diag(1/sqrt(lam + eps))       rotate to the principal axes, rescale
        ZCA whitening   W = U diag(1/sqrt(lam + eps)) Uᵀ    ... and rotate back (W is symmetric)

    The whitened covariance is Wᵀ C W, = diag(lam / (lam + eps)) in the eigenbasis: ≈ I
    for the directions with lam >> eps, and 0 (not a blown-up 1/0) for directions with no
    variance at all (rank-deficient X), which is what eps is for.  ZCA keeps the whitened
    data as close as possible to the original (same axes), which is why it is used for
    images.  Eigenvectors' order and signs are arbitrary, so the PCA matrix is not unique.

    Parameters
    ----------
    X : (N, D) training data
    method : "pca" or "zca"
    eps : float >= 0 (eps = 0 is allowed only if C is non-singular: rank(X - mean) = D)

    Returns
    -------
    mean : (D,)
    W : (D, D)
    """
    X = _check_data(X)
    if not isinstance(method, str) or method not in ("pca", "zca"):
        raise ValueError(f"method must be 'pca' or 'zca', got {method!r}")
    eps = check_nonnegative(eps, "eps")
    X = X.astype(np.float64)             # an eigen-decomposition wants the precision
    mean = X.mean(axis=0)
    Xc = X - mean
    C = Xc.T @ Xc / X.shape[0]
    lam, U = np.linalg.eigh(C)
    # A direction without variance comes out of eigh as a round-off eigenvalue (±1e-17 or so):
    # call it 0, with the usual rank tolerance, so that eps = 0 fails clearly instead of
    # dividing by round-off.
    tol = lam.max() * lam.size * np.finfo(np.float64).eps
    lam = np.where(lam > tol, lam, 0.0)
    if np.any(lam + eps <= 0):
        raise ValueError("eps must be > 0 here: the covariance of X is singular")
    W = U / np.sqrt(lam + eps)           # = U @ diag(1/sqrt(lam + eps)), scaling the columns
    if method == "zca":
        W = W @ U.T
    return mean, W


def whiten(X, mean, W):
    """Apply a whitening computed by ``whitening_matrix``: (X - mean) @ W.

    X (N, D), mean (D,), W (D, K)  ->  (N, K).
    """
    X = _check_data(X)
    mean = _check_stat(mean, X.shape[1], "mean")
    W = as_float_array(W, "W", ndim=2)
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have one row per column of X: X is {X.shape}, W is {W.shape}")
    return (X - mean) @ W
