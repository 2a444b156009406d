"""Tests of nntrain.preprocess: centering, standardization, PCA and ZCA whitening."""
import numpy as np
import pytest

from nntrain.preprocess import apply_standardize, center, standardize, whiten, whitening_matrix
from nntrain.reference import DelegationError, forbid


def correlated_data(n=2000, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    A = np.array([[2.0, 0.0, 0.0], [1.5, 0.5, 0.0], [-1.0, 0.3, 0.8]])
    return (rng.normal(size=(n, 3)) @ A.T + np.array([5.0, -2.0, 0.5])).astype(dtype)


def cov(Z):
    Zc = Z - Z.mean(axis=0)
    return Zc.T @ Zc / Z.shape[0]


# ----------------------------------------------------------------------------- center

def test_center_by_hand():
    X = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
    Xc, mean = center(X)
    np.testing.assert_allclose(mean, [3.0, 30.0])
    np.testing.assert_allclose(Xc, [[-2.0, -20.0], [0.0, -10.0], [2.0, 30.0]])
    np.testing.assert_array_equal(X[0], [1.0, 10.0])


def test_center_float32_and_bad_input():
    Xc, mean = center(np.array([[1, 2], [3, 4]], dtype=np.float32))
    np.testing.assert_allclose(Xc, [[-1, -1], [1, 1]])
    assert mean.shape == (2,)
    Xc, mean = center(np.array([[1, 2], [3, 4]]))          # integers are fine
    np.testing.assert_allclose(mean, [2.0, 3.0])
    with pytest.raises(ValueError, match="X"):
        center(np.ones(3))
    with pytest.raises(ValueError, match="X"):
        center(np.ones((0, 3)))
    with pytest.raises(TypeError, match="X"):
        center([["a", "b"]])


# ------------------------------------------------------------------------ standardize

def test_standardize_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 2.0]])
    Xs, mean, std = standardize(X)
    np.testing.assert_allclose(mean, [2.0, 2.0])
    np.testing.assert_allclose(std, [1.0, 0.0])               # population std: divide by N
    np.testing.assert_allclose(Xs, [[-1.0 / (1 + 1e-8), 0.0], [1.0 / (1 + 1e-8), 0.0]])
    assert np.all(np.isfinite(Xs))                             # constant column: 0, not 0/0


def test_standardize_properties():
    X = correlated_data()
    before = X.copy()
    Xs, mean, std = standardize(X, eps=0.0)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(std, np.sqrt(((X - X.mean(0)) ** 2).mean(0)), rtol=1e-12)
    np.testing.assert_array_equal(X, before)
    Xs32, _, _ = standardize(X.astype(np.float32))
    np.testing.assert_allclose(Xs32, Xs, atol=1e-4)


def test_apply_standardize_uses_given_statistics():
    X_train = correlated_data(seed=1)
    X_test = correlated_data(n=50, seed=2)
    _, mean, std = standardize(X_train)
    out = apply_standardize(X_test, mean, std)
    np.testing.assert_allclose(out, (X_test - X_train.mean(0)) / (X_train.std(0) + 1e-8), rtol=1e-12)
    with pytest.raises(ValueError, match="mean"):
        apply_standardize(X_test, mean[:2], std)
    with pytest.raises(ValueError, match="std"):
        apply_standardize(X_test, mean, -std)
    with pytest.raises(ValueError, match="eps"):
        apply_standardize(X_test, mean, std, eps=-1.0)


def test_apply_standardize_is_guarded_as_the_exercise():
    X = correlated_data(n=10)
    with forbid("standardize"):
        with pytest.raises(DelegationError):
            apply_standardize(X, X.mean(0), X.std(0))


# -------------------------------------------------------------------------- whitening

@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitened_covariance_is_identity(method):
    X = correlated_data()
    before = X.copy()
    mean, W = whitening_matrix(X, method=method, eps=1e-5)
    assert W.shape == (3, 3)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)
    Z = whiten(X, mean, W)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-10)
    # the smallest eigenvalue of this covariance is about 0.5: eps shifts 1 by ~2e-5
    np.testing.assert_allclose(cov(Z), np.eye(3), atol=1e-4)
    # both W satisfy W Wᵀ = (C + eps I)^-1, whatever the order and signs of the eigenvectors
    np.testing.assert_allclose(W @ W.T @ (cov(X) + 1e-5 * np.eye(3)), np.eye(3), atol=1e-10)
    np.testing.assert_array_equal(X, before)


def test_zca_matrix_is_symmetric_and_keeps_axes():
    X = correlated_data()
    mean, W_zca = whitening_matrix(X, method="zca")
    np.testing.assert_allclose(W_zca, W_zca.T, atol=1e-12)
    # ZCA = C^-1/2: its square is the inverse covariance
    np.testing.assert_allclose(W_zca @ W_zca @ (cov(X) + 1e-5 * np.eye(3)), np.eye(3), atol=1e-10)
    _, W_pca = whitening_matrix(X, method="pca")
    assert not np.allclose(W_pca, W_pca.T)
    # ZCA whitened data is closer to the centred data than PCA whitened data
    Xc = X - mean
    d_zca = np.linalg.norm(whiten(X, mean, W_zca) / np.linalg.norm(W_zca) - Xc / np.linalg.norm(Xc))
    d_pca = np.linalg.norm(whiten(X, mean, W_pca) / np.linalg.norm(W_pca) - Xc / np.linalg.norm(Xc))
    assert d_zca < d_pca


def test_pca_columns_are_scaled_principal_axes():
    X = correlated_data()
    _, W = whitening_matrix(X, method="pca", eps=0.0)
    lam = np.linalg.eigvalsh(cov(X))
    # Wᵀ W = diag(1 / lam): orthogonal columns of lengths 1/sqrt(lam)
    G = W.T @ W
    np.testing.assert_allclose(G - np.diag(np.diag(G)), 0.0, atol=1e-10)
    np.testing.assert_allclose(np.sort(np.diag(G)), np.sort(1.0 / lam), rtol=1e-8)


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_eps_on_rank_deficient_data(method):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 300))
    X = np.column_stack([a, b, a + b])                # rank 2: one direction has no variance
    lam = np.clip(np.linalg.eigvalsh(cov(X)), 0, None)
    for eps in (1e-5, 1e-1):
        mean, W = whitening_matrix(X, method=method, eps=eps)
        assert np.all(np.isfinite(W))
        got = np.sort(np.linalg.eigvalsh(cov(whiten(X, mean, W))))
        # the whitened variances are lam / (lam + eps): 0 for the missing direction
        np.testing.assert_allclose(got, np.sort(lam / (lam + eps)), atol=1e-8)
    assert got[0] < 1e-8 and 0.8 < got[1] < 0.99          # eps = 0.1 shrinks the others
    with pytest.raises(ValueError, match="eps"):
        whitening_matrix(X, method=method, eps=0.0)


def test_whitening_float32():
    X = correlated_data(dtype=np.float32)
    for method in ("pca", "zca"):
        mean, W = whitening_matrix(X, method=method)
        np.testing.assert_allclose(cov(whiten(X, mean, W).astype(np.float64)), np.eye(3), atol=1e-4)


def test_whitening_bad_inputs():
    X = correlated_data(n=20)
    for method in ("PCA", "svd", None):
        with pytest.raises(ValueError, match="method"):
            whitening_matrix(X, method=method)
    with pytest.raises(ValueError, match="eps"):
        whitening_matrix(X, eps=-1e-3)
    with pytest.raises(ValueError, match="X"):
        whitening_matrix(X[0])
    mean, W = whitening_matrix(X)
    with pytest.raises(ValueError, match="W"):
        whiten(X, mean, W[:2])
    with pytest.raises(ValueError, match="mean"):
        whiten(X, mean[:2], W)
