"""Mutant tests of chapter 06 (data preprocessing): the graded test cells must catch realistic
wrong implementations of center, standardize and whitening_matrix, and accept correct ones
written differently."""

import numpy as np
import pytest

from nntrain.preprocess import center as _lib_center
from nntrain.preprocess import standardize as _lib_standardize
from nntrain.preprocess import whitening_matrix as _lib_whitening_matrix
from tests.harness import mutant_tests, rebound

CHAPTER = "06_preprocessing"


# ----------------------------------------------------------------------------- center: wrong

def center__axis1(X):
    mean = X.mean(axis=1)
    return X - mean[:, None], mean


def center__global_mean(X):
    mean = X.mean()
    return X - mean, mean


def center__keepdims(X):
    mean = X.mean(axis=0, keepdims=True)
    return X - mean, mean


def center__swapped(X):
    mean = X.mean(axis=0)
    return mean, X - mean


def center__n_minus_1(X):
    mean = X.sum(axis=0) / max(X.shape[0] - 1, 1)
    return X - mean, mean


def center__in_place(X):
    mean = X.mean(axis=0)
    X -= mean
    return X, mean


def center__delegates_top_level(X):
    return _lib_center(X)


def center__delegates_inside(X):
    from nntrain import preprocess
    Xc, mean = preprocess.center(X)
    return Xc.copy(), mean.copy()


def center__not_centered(X):
    return X.copy(), X.mean(axis=0)


def center__median(X):
    mean = np.median(X, axis=0)
    return X - mean, mean


_center_cache = {}


def center__stale_cache(X):
    key = X.shape
    if key not in _center_cache:
        _center_cache[key] = X.mean(axis=0)
    mean = _center_cache[key]
    return X - mean, mean


def center__mean_of_result(X):
    Xc = X - X.mean(axis=0)
    return Xc, Xc.mean(axis=0)


def center__only_xc(X):
    return X - X.mean(axis=0)


# ----------------------------------------------------------------------------- center: right

def center__loop(X):
    N, D = X.shape
    mean = np.zeros(D)
    for i in range(N):
        mean += X[i]
    mean /= N
    Xc = np.empty((N, D))
    for i in range(N):
        Xc[i] = X[i] - mean
    return Xc, mean


def center__ones_matmul(X):
    N = X.shape[0]
    mean = np.ones(N) @ X / N
    return X - mean[None, :], mean


def center__float32_preserving(X):
    mean = np.mean(X, axis=0, dtype=X.dtype)
    return (X - mean).astype(X.dtype), mean


def center__list_average(X):
    mean = np.average(X, axis=0)
    return [np.subtract(X, mean), mean]


def center__einsum(X):
    mean = np.einsum("nd->d", X) / X.shape[0]
    return X - mean, mean


def center__keepdims_squeeze(X):
    mean = X.mean(axis=0, keepdims=True)
    return X - mean, mean.squeeze()


# ------------------------------------------------------------------------ standardize: wrong

def standardize__ddof1(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0, ddof=1)
    return (X - mean) / (std + eps), mean, std


def standardize__eps_inside_sqrt(X, eps=1e-8):
    mean = X.mean(axis=0)
    var = X.var(axis=0)
    return (X - mean) / np.sqrt(var + eps), mean, np.sqrt(var)


def standardize__eps_ignored(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / (std + 1e-8), mean, std


def standardize__no_eps(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / std, mean, std


def standardize__std_axis1(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=1, keepdims=True)
    return (X - mean) / (std + eps), mean, std.ravel()


def standardize__returns_std_plus_eps(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0) + eps
    return (X - mean) / std, mean, std


def standardize__returns_var(X, eps=1e-8):
    mean = X.mean(axis=0)
    var = X.var(axis=0)
    return (X - mean) / (np.sqrt(var) + eps), mean, var


def standardize__max_std_eps(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / np.maximum(std, eps), mean, std


def standardize__not_centered(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return X / (std + eps), mean, std


def standardize__in_place(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    X -= mean
    X /= std + eps
    return X, mean, std


def standardize__delegates_top_level(X, eps=1e-8):
    return _lib_standardize(X, eps)


def standardize__delegates_inside(X, eps=1e-8):
    from nntrain.preprocess import apply_standardize
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return apply_standardize(X, mean, std, eps), mean, std


_standardize_cache = {}


def standardize__stale_cache(X, eps=1e-8):
    key = X.shape
    if key not in _standardize_cache:
        _standardize_cache[key] = (X.mean(axis=0), X.std(axis=0))
    mean, std = _standardize_cache[key]
    return (X - mean) / (std + eps), mean, std


def standardize__divides_by_variance(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / (std ** 2 + eps), mean, std


def standardize__replace_zero_std(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / np.where(std == 0, 1.0, std), mean, std


def standardize__global_std(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = X.std()
    return (X - mean) / (std + eps), mean, np.full(X.shape[1], std)


def standardize__mean_after(X, eps=1e-8):
    std = X.std(axis=0)
    Xs = (X - X.mean(axis=0)) / (std + eps)
    return Xs, Xs.mean(axis=0), std


# ------------------------------------------------------------------------ standardize: right

def standardize__explicit(X, eps=1e-8):
    mean = X.mean(axis=0)
    std = np.sqrt(np.mean((X - mean) ** 2, axis=0))
    return (X - mean) / (std + eps), mean, std


def standardize__loop(X, eps=1e-8):
    N, D = X.shape
    Xs = np.empty((N, D))
    mean = np.empty(D)
    std = np.empty(D)
    for j in range(D):
        col = X[:, j].astype(float)
        mean[j] = sum(col) / N
        std[j] = (sum((c - mean[j]) ** 2 for c in col) / N) ** 0.5
        Xs[:, j] = (col - mean[j]) / (std[j] + eps)
    return Xs, mean, std


def standardize__float32_preserving(X, eps=1e-8):
    mean = X.mean(axis=0, dtype=X.dtype)
    std = X.std(axis=0, dtype=X.dtype)
    return ((X - mean) / (std + X.dtype.type(eps))).astype(X.dtype), mean, std


def standardize__second_moment(X, eps=1e-8):
    X = X.astype(np.float64)
    mean = X.mean(axis=0)
    var = np.maximum((X ** 2).mean(axis=0) - mean ** 2, 0.0)
    std = np.sqrt(var)
    return (X - mean) * (1.0 / (std + eps)), mean, std


def standardize__keepdims_list(X, eps=1e-8):
    mean = np.mean(X, axis=0, keepdims=True)
    std = np.std(X, axis=0, keepdims=True)
    return [(X - mean) / (std + eps), mean[0], std[0]]


def standardize__var_then_sqrt(X, eps=1e-8):
    Xc = X - np.mean(X, axis=0)
    std = np.sqrt(np.var(X, axis=0, ddof=0)).squeeze()
    return Xc / (std + eps), X.mean(axis=0).squeeze(), std


# -------------------------------------------------------------------- whitening_matrix: wrong

def _pca_parts(C):
    lam, U = np.linalg.eigh(C)
    return np.maximum(lam, 0.0), U


def _cov(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


def _finish(lam, U, method, eps):
    W = U / np.sqrt(lam + eps)
    return W @ U.T if method == "zca" else W


def whitening_matrix__cov_ddof1(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(np.cov(X, rowvar=False))
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__uncentered_cov(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(X.T @ X / X.shape[0])
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__eps_outside_sqrt(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    W = U / (np.sqrt(lam) + eps)
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__eps_ignored(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, 1e-5)


def whitening_matrix__no_sqrt(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    W = U / (lam + eps)
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__always_pca(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, "pca", eps)


def whitening_matrix__always_zca(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, "zca", eps)


def whitening_matrix__eigenvectors_as_rows(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    W = np.diag(1.0 / np.sqrt(lam + eps)) @ U.T
    return X.mean(axis=0), U @ W if method == "zca" else W


def whitening_matrix__zca_wrong_order(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    if method == "zca":
        return X.mean(axis=0), U.T @ np.diag(1.0 / np.sqrt(lam + eps)) @ U
    return X.mean(axis=0), _finish(lam, U, "pca", eps)


def whitening_matrix__cholesky(X, method="pca", eps=1e-5):
    C = _cov(X) + eps * np.eye(X.shape[1])
    L = np.linalg.cholesky(C)
    return X.mean(axis=0), np.linalg.inv(L).T


def whitening_matrix__correlation_matrix(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    Xs = (X - mean) / std
    lam, U = _pca_parts(Xs.T @ Xs / X.shape[0])
    return mean, (_finish(lam, U, method, eps).T / std).T


def whitening_matrix__svd_not_divided_by_n(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - mean, full_matrices=False)
    return mean, _finish(s ** 2, Vt.T, method, eps)


def whitening_matrix__sorted_values_only(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    lam = lam[::-1]                          # descending, but U left in ascending order
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__swapped(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return _finish(lam, U, method, eps), X.mean(axis=0)


def whitening_matrix__in_place(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    X -= mean
    lam, U = _pca_parts(X.T @ X / X.shape[0])
    return mean, _finish(lam, U, method, eps)


def whitening_matrix__delegates_top_level(X, method="pca", eps=1e-5):
    return _lib_whitening_matrix(X, method, eps)


def whitening_matrix__delegates_inside(X, method="pca", eps=1e-5):
    from nntrain import preprocess
    return preprocess.whitening_matrix(X, method=method, eps=eps)


_whitening_cache = {}


def whitening_matrix__stale_cache(X, method="pca", eps=1e-5):
    key = (X.shape, method, eps)
    if key not in _whitening_cache:
        lam, U = _pca_parts(_cov(X))
        _whitening_cache[key] = (X.mean(axis=0), _finish(lam, U, method, eps))
    return _whitening_cache[key]


def whitening_matrix__max_lam_eps(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    W = U / np.sqrt(np.maximum(lam, eps))
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__pca_ignores_eps(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, eps if method == "zca" else 0.0)


def whitening_matrix__zca_ignores_eps(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, eps if method == "pca" else 0.0)


def whitening_matrix__eps_added_twice(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X) + eps * np.eye(X.shape[1]))
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__returns_whitened_data(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), (X - X.mean(axis=0)) @ _finish(lam, U, method, eps)


def whitening_matrix__default_eps_zero(X, method="pca", eps=0.0):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__default_method_zca(X, method="zca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, eps)


def whitening_matrix__zero_mean_returned(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return np.zeros(X.shape[1]), _finish(lam, U, method, eps)


def whitening_matrix__std_instead_of_variance(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    W = U / np.sqrt(np.sqrt(lam) + eps)
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__eps_added_after_inverse(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    with np.errstate(divide="ignore"):
        W = U * (1.0 / np.sqrt(lam) + eps)
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__drops_null_directions(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    scale = np.where(lam > 1e-10 * lam.max(), 1.0 / np.sqrt(lam + eps), 0.0)
    W = U * scale
    return X.mean(axis=0), W @ U.T if method == "zca" else W


def whitening_matrix__mean_axis1(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=1), _finish(lam, U, method, eps)


def whitening_matrix__zca_inverse_covariance(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(_cov(X))
    if method == "zca":
        return X.mean(axis=0), U @ np.diag(1.0 / (lam + eps)) @ U.T
    return X.mean(axis=0), _finish(lam, U, method, eps)


def standardize__default_eps_zero(X, eps=0.0):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / (std + eps), mean, std


def whitening_matrix__np_cov_features_in_rows(X, method="pca", eps=1e-5):
    lam, U = _pca_parts(np.cov(X, bias=True))          # forgot rowvar=False: (N, N)
    return X.mean(axis=0), _finish(lam, U, method, eps)[: X.shape[1], : X.shape[1]]


def whitening_matrix__default_eps_of_standardize(X, method="pca", eps=1e-8):
    lam, U = _pca_parts(_cov(X))
    return X.mean(axis=0), _finish(lam, U, method, eps)


def standardize__mean_axis1(X, eps=1e-8):
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=0)
    return (X - mean) / (std + eps), mean.ravel(), std


# -------------------------------------------------------------------- whitening_matrix: right

def whitening_matrix__svd(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    N = X.shape[0]
    _, s, Vt = np.linalg.svd((X - mean) / np.sqrt(N), full_matrices=False)
    lam = s ** 2                             # descending
    W = Vt.T @ np.diag(1.0 / np.sqrt(lam + eps))
    if method == "zca":
        W = W @ Vt
    return mean, W


def whitening_matrix__eigh_of_regularized(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    C = np.cov(X, rowvar=False, bias=True) + eps * np.eye(X.shape[1])
    lam_eps, U = np.linalg.eigh(C)           # eigenvalues lam + eps
    scale = np.diag(lam_eps ** -0.5)
    return mean, U @ scale @ U.T if method == "zca" else U @ scale


def whitening_matrix__shuffled_signs_and_order(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    C = np.cov(X.T, bias=True).reshape(X.shape[1], X.shape[1])
    lam, U = np.linalg.eigh(C)
    lam = np.clip(lam, 0, None)
    order = np.argsort(-lam)                 # descending
    signs = np.where(np.arange(len(lam)) % 2 == 0, -1.0, 1.0)
    lam, U = lam[order], U[:, order] * signs
    W_pca = U * (1.0 / np.sqrt(lam + eps))[None, :]
    if method == "pca":
        return mean, W_pca
    return mean, W_pca @ U.T


def whitening_matrix__float32_preserving(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    Xc = X - mean
    C = (Xc.T @ Xc) / X.dtype.type(X.shape[0])
    lam, U = np.linalg.eigh(C)               # stays in X's dtype
    lam = np.maximum(lam, 0)
    W = U * (1 / np.sqrt(lam + X.dtype.type(eps)))
    if method.lower() == "zca":
        W = W @ U.T
    return [mean, W.astype(X.dtype)]


def whitening_matrix__outer_products(X, method="pca", eps=1e-5):
    N, D = X.shape
    mean = sum(X[i] for i in range(N)) / N
    C = np.zeros((D, D))
    for i in range(N):
        d = X[i] - mean
        C += np.outer(d, d)
    C /= N
    lam, U = np.linalg.eig(C)                # general solver: real for a symmetric C
    lam, U = np.real(lam), np.real(U)
    lam = np.maximum(lam, 0.0)
    W = np.zeros((D, D))
    for k in range(D):
        W[:, k] = U[:, k] / np.sqrt(lam[k] + eps)
    if method == "zca":
        W = sum(np.outer(W[:, k], U[:, k]) for k in range(D))
    return mean, W


def whitening_matrix__svd_of_covariance(X, method="pca", eps=1e-5):
    mean = np.mean(X, axis=0)
    C = np.cov(X.T, ddof=0)
    U, s, _ = np.linalg.svd(C)               # for a symmetric PSD C: s = lam, U = eigenvectors
    W = U @ np.diag(1 / np.sqrt(s + eps))
    if method == "zca":
        W = W @ U.T
    return mean, W


def whitening_matrix__by_inverses(X, method="pca", eps=1e-5):
    mean = X.mean(axis=0)
    Xc = X - mean
    C = np.einsum("ni,nj->ij", Xc, Xc) / len(X)
    lam, U = np.linalg.eigh(C)
    lam = np.abs(lam)
    if method == "pca":
        return mean, np.linalg.inv(np.diag(np.sqrt(lam + eps)) @ U.T)
    return mean, np.linalg.inv(U @ np.diag(np.sqrt(lam + eps)) @ U.T)


# ------------------------------------------- built on the student's center (the text allows it)

def standardize__via_center(X, eps=1e-8):
    Xc, mean = center(X)                     # noqa: F821 - the notebook's center, see harness.rebound
    std = np.sqrt((Xc ** 2).mean(axis=0))
    return Xc / (std + eps), mean, std


def whitening_matrix__via_center(X, method="pca", eps=1e-5):
    Xc, mean = center(X)                     # noqa: F821 - the notebook's center, see harness.rebound
    lam, U = _pca_parts(Xc.T @ Xc / len(X))
    return mean, _finish(lam, U, method, eps)


def overrides(name, impl):
    """A center (wrong or right) comes with a standardize and a whitening_matrix that call it:
    a slip in center must cost only center's points."""
    if name == "center":
        return {"center": impl,
                "standardize": rebound(standardize__via_center, center=impl),
                "whitening_matrix": rebound(whitening_matrix__via_center, center=impl)}
    if name in ("standardize", "whitening_matrix") and impl in (standardize__via_center,
                                                                whitening_matrix__via_center):
        return {name: rebound(impl, center=center__loop)}
    return {name: impl}


WRONG = [
    ("center", center__axis1), ("center", center__global_mean), ("center", center__keepdims),
    ("center", center__swapped), ("center", center__n_minus_1), ("center", center__in_place),
    ("center", center__delegates_top_level), ("center", center__delegates_inside),
    ("center", center__not_centered), ("center", center__median), ("center", center__stale_cache),
    ("center", center__mean_of_result), ("center", center__only_xc),
    ("standardize", standardize__ddof1), ("standardize", standardize__eps_inside_sqrt),
    ("standardize", standardize__eps_ignored), ("standardize", standardize__no_eps),
    ("standardize", standardize__std_axis1), ("standardize", standardize__returns_std_plus_eps),
    ("standardize", standardize__returns_var), ("standardize", standardize__max_std_eps),
    ("standardize", standardize__not_centered), ("standardize", standardize__in_place),
    ("standardize", standardize__delegates_top_level), ("standardize", standardize__delegates_inside),
    ("standardize", standardize__stale_cache), ("standardize", standardize__divides_by_variance),
    ("standardize", standardize__replace_zero_std), ("standardize", standardize__global_std),
    ("standardize", standardize__mean_after),
    ("whitening_matrix", whitening_matrix__cov_ddof1),
    ("whitening_matrix", whitening_matrix__uncentered_cov),
    ("whitening_matrix", whitening_matrix__eps_outside_sqrt),
    ("whitening_matrix", whitening_matrix__eps_ignored),
    ("whitening_matrix", whitening_matrix__no_sqrt),
    ("whitening_matrix", whitening_matrix__always_pca),
    ("whitening_matrix", whitening_matrix__always_zca),
    ("whitening_matrix", whitening_matrix__eigenvectors_as_rows),
    ("whitening_matrix", whitening_matrix__zca_wrong_order),
    ("whitening_matrix", whitening_matrix__cholesky),
    ("whitening_matrix", whitening_matrix__correlation_matrix),
    ("whitening_matrix", whitening_matrix__svd_not_divided_by_n),
    ("whitening_matrix", whitening_matrix__sorted_values_only),
    ("whitening_matrix", whitening_matrix__swapped),
    ("whitening_matrix", whitening_matrix__in_place),
    ("whitening_matrix", whitening_matrix__delegates_top_level),
    ("whitening_matrix", whitening_matrix__delegates_inside),
    ("whitening_matrix", whitening_matrix__stale_cache),
    ("whitening_matrix", whitening_matrix__max_lam_eps),
    ("whitening_matrix", whitening_matrix__pca_ignores_eps),
    ("whitening_matrix", whitening_matrix__zca_ignores_eps),
    ("whitening_matrix", whitening_matrix__eps_added_twice),
    ("whitening_matrix", whitening_matrix__returns_whitened_data),
    ("whitening_matrix", whitening_matrix__default_eps_zero),
    ("whitening_matrix", whitening_matrix__default_method_zca),
    ("whitening_matrix", whitening_matrix__zero_mean_returned),
    ("whitening_matrix", whitening_matrix__std_instead_of_variance),
    ("whitening_matrix", whitening_matrix__eps_added_after_inverse),
    ("whitening_matrix", whitening_matrix__drops_null_directions),
    ("whitening_matrix", whitening_matrix__mean_axis1),
    ("whitening_matrix", whitening_matrix__zca_inverse_covariance),
    ("standardize", standardize__mean_axis1),
    ("standardize", standardize__default_eps_zero),
    ("whitening_matrix", whitening_matrix__np_cov_features_in_rows),
    ("whitening_matrix", whitening_matrix__default_eps_of_standardize),
]

RIGHT = [
    ("center", center__loop), ("center", center__ones_matmul), ("center", center__float32_preserving),
    ("center", center__list_average), ("center", center__einsum), ("center", center__keepdims_squeeze),
    ("standardize", standardize__explicit), ("standardize", standardize__loop),
    ("standardize", standardize__float32_preserving), ("standardize", standardize__second_moment),
    ("standardize", standardize__keepdims_list), ("standardize", standardize__var_then_sqrt),
    ("whitening_matrix", whitening_matrix__svd),
    ("whitening_matrix", whitening_matrix__eigh_of_regularized),
    ("whitening_matrix", whitening_matrix__shuffled_signs_and_order),
    ("whitening_matrix", whitening_matrix__float32_preserving),
    ("whitening_matrix", whitening_matrix__outer_products),
    ("whitening_matrix", whitening_matrix__svd_of_covariance),
    ("whitening_matrix", whitening_matrix__by_inverses),
    ("standardize", standardize__via_center), ("whitening_matrix", whitening_matrix__via_center),
]


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT, overrides=overrides)
