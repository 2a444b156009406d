"""Data for the book: mini-batches, the handwritten digits, and small synthetic sets.

- :func:`minibatch_indices` cuts a shuffled range(n) into mini-batches (小批量).
- :func:`load_digits` / :func:`digits_split`: 1797 handwritten digits, 8×8 pixels, shipped
  with the package (see ``data/README.md`` for provenance and licence).
- :func:`make_spirals`, :func:`make_blobs`: 2-D classification problems one can plot.
- :func:`make_linear_regression`: a least-squares problem with a chosen condition number,
  the running example of the SGD chapter (ill-conditioned curvature).
- :func:`make_correlated_cloud`: a 2-D correlated Gaussian cloud for the preprocessing
  figures (centering, normalization, PCA / ZCA whitening).
"""
from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from .checks import as_float_array, check_bool, check_int, check_nonnegative, check_positive, check_rng
from .reference import reference
from .tuning import train_val_test_split

__all__ = [
    "minibatch_indices",
    "load_digits",
    "digits_split",
    "DIGITS_SEED",
    "make_spirals",
    "make_blobs",
    "make_linear_regression",
    "make_correlated_cloud",
]

DIGITS_FILE = Path(__file__).resolve().parent / "data" / "digits.csv.gz"

#: the seed of the one train / validation / test split of the digits every chapter uses
DIGITS_SEED = 2024


# ----------------------------------------------------------------------------- mini-batches

@reference("minibatch_indices")
def minibatch_indices(n, batch_size, rng):
    """Indices of one epoch of mini-batches.

    A random permutation of range(n) cut into consecutive batches of ``batch_size``; the
    last batch holds the remaining n mod batch_size indices when batch_size does not divide
    n.  Every index 0..n-1 appears exactly once, so one pass over the batches is one epoch.

    Returns a list of ceil(n / batch_size) int arrays (an empty list for n = 0).
    """
    n = check_int(n, "n", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_rng(rng)
    perm = rng.permutation(n)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


# ----------------------------------------------------------------------------- digits

_DIGITS_CACHE = {}


def _digits_raw():
    """(1797, 65) int64 array read once from the shipped file, then kept in memory."""
    if "raw" not in _DIGITS_CACHE:
        raw = np.loadtxt(DIGITS_FILE, delimiter=",", dtype=np.int64)
        raw.setflags(write=False)    # the cache is shared: nobody may modify it
        _DIGITS_CACHE["raw"] = raw
    return _DIGITS_CACHE["raw"]


def load_digits(flatten=True, scale=True):
    """The UCI handwritten digits: 1797 images of 8×8 pixels, 10 classes (0..9).

    Each pixel counts the "on" pixels of a 4×4 block of a 32×32 bitmap, an integer 0..16.

    Parameters
    ----------
    flatten : bool -- True: X is (1797, 64) (rows of the image one after another);
        False: X is (1797, 8, 8).
    scale : bool -- True: X / 16, values in [0, 1]; False: the counts 0..16 (as float64).

    Returns
    -------
    X : float64 array, a new copy (the file is read once and cached in memory)
    y : (1797,) int64 labels 0..9
    """
    check_bool(flatten, "flatten")
    check_bool(scale, "scale")
    raw = _digits_raw()
    X = raw[:, :64].astype(np.float64)
    y = raw[:, 64].copy()
    if scale:
        X /= 16.0
    if not flatten:
        X = X.reshape(-1, 8, 8)
    return X, y


def digits_split(rng=None, val_frac=0.15, test_frac=0.15, flatten=True, scale=True):
    """The digits split into (X_train, y_train, X_val, y_val, X_test, y_test).

    With ``rng=None`` the split is always the same one (drawn with
    ``np.random.default_rng(DIGITS_SEED)``), so every chapter trains, tunes and tests on the
    same samples.  Sizes: round(0.15 * 1797) = 270 for validation and for test, 1257 for
    training.  See :func:`nntrain.tuning.train_val_test_split`.
    """
    if rng is None:
        rng = np.random.default_rng(DIGITS_SEED)
    X, y = load_digits(flatten=flatten, scale=scale)
    return train_val_test_split(X, y, rng, val_frac=val_frac, test_frac=test_frac)


# ----------------------------------------------------------------------------- synthetic sets

def make_spirals(n_per_class, n_classes, rng, noise=0.2):
    """Interleaved spiral arms in 2-D, one arm per class: a problem no linear model solves.

    Arm k: radius r = t and angle θ = 4t + 2πk / n_classes + noise·ε for t evenly spaced in
    [0, 1] and ε ~ N(0, 1); the point is (r sin θ, r cos θ).

    Returns X (n_per_class * n_classes, 2) float64 and y (same length,) int64 labels
    0..n_classes-1, grouped by class (shuffle or use minibatch_indices before training).
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    check_rng(rng)
    noise = check_nonnegative(noise, "noise")
    t = np.linspace(0.0, 1.0, n_per_class)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    for k in range(n_classes):
        theta = 4.0 * t + 2.0 * np.pi * k / n_classes + noise * rng.standard_normal(n_per_class)
        X[k * n_per_class:(k + 1) * n_per_class] = np.column_stack([t * np.sin(theta), t * np.cos(theta)])
    return X, y


def make_blobs(n_per_class, centers, rng, std=1.0):
    """Gaussian blobs: class k is N(centers[k], std² I).

    centers : (K, D) array, one centre per class.  Returns X (n_per_class * K, D) float64 and
    y (n_per_class * K,) int64 labels 0..K-1, grouped by class.
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    centers = as_float_array(centers, "centers", ndim=2, finite=True).astype(np.float64)
    check_rng(rng)
    std = check_nonnegative(std, "std")
    k, d = centers.shape
    if k == 0:
        raise ValueError("centers must hold at least one centre")
    y = np.repeat(np.arange(k, dtype=np.int64), n_per_class)
    X = centers[y] + std * rng.standard_normal((k * n_per_class, d))
    return X, y


def make_linear_regression(n, d, rng, condition_number=10.0, noise=0.1):
    """A linear regression problem y = X w_true + noise whose curvature has a chosen condition number.

    The features are x = z · diag(sqrt(λ)) · Qᵀ with z ~ N(0, I) and Q a random rotation, where
    λ is spaced geometrically from 1 down to 1 / condition_number.  Their covariance
    Q diag(λ) Qᵀ therefore has condition number λ_max / λ_min = ``condition_number``, and so
    (for large n) does the Hessian (2/n) XᵀX of the mean squared error: the larger it is,
    the narrower the valley gradient descent has to follow.

    Returns X (n, d), y (n,) = X @ w_true + noise · N(0, 1), and w_true (d,) ~ N(0, I).
    """
    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    check_rng(rng)
    condition_number = check_positive(condition_number, "condition_number")
    if condition_number < 1:
        raise ValueError(f"condition_number must be >= 1, got {condition_number}")
    noise = check_nonnegative(noise, "noise")
    lam = np.geomspace(1.0, 1.0 / condition_number, d)
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))          # a uniformly random rotation / reflection
    X = (rng.standard_normal((n, d)) * np.sqrt(lam)) @ q.T
    w_true = rng.standard_normal(d)
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true


def make_correlated_cloud(n, rng, mean=(3.0, 2.0), stds=(2.0, 0.5), angle=np.pi / 6):
    """A correlated 2-D Gaussian cloud, off-centre and tilted, for the preprocessing figures.

    Covariance C = R diag(stds²) Rᵀ with R the rotation by ``angle`` (radians): the principal
    axes are tilted by ``angle`` and have standard deviations ``stds``.  Returns X (n, 2)
    float64 = mean + z diag(stds) Rᵀ with z ~ N(0, I).  Centering moves it to the origin,
    PCA whitening rotates it onto the axes and rescales it, ZCA whitening rescales it in
    place.
    """
    n = check_int(n, "n", minimum=1)
    check_rng(rng)
    mean = as_float_array(mean, "mean", ndim=1, finite=True)
    stds = as_float_array(stds, "stds", ndim=1, finite=True)
    if mean.shape != (2,):
        raise ValueError(f"mean must have shape (2,), got {mean.shape}")
    if stds.shape != (2,) or np.any(stds <= 0):
        raise ValueError(f"stds must be two positive numbers, got {stds}")
    if isinstance(angle, (bool, np.bool_)) or not isinstance(angle, numbers.Real) \
            or not np.isfinite(angle):
        raise TypeError(f"angle must be a finite real number (radians), got {angle!r}")
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    return mean + (rng.standard_normal((n, 2)) * stds) @ rot.T
