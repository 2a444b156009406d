"""Tests of nntrain.data: mini-batches, the shipped digits, synthetic data sets."""
import gzip

import numpy as np
import pytest

from nntrain import data
from nntrain.data import (DIGITS_FILE, digits_split, load_digits, make_blobs, make_correlated_cloud,
                          make_linear_regression, make_spirals, minibatch_indices)
from nntrain.reference import DelegationError, forbid


def rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- minibatch_indices

@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (5, 5), (5, 8), (1, 1), (100, 7)])
def test_minibatches_partition_range_n(n, batch_size):
    batches = minibatch_indices(n, batch_size, rng())
    assert isinstance(batches, list)
    assert len(batches) == -(-n // batch_size)
    sizes = [len(b) for b in batches]
    assert all(s == batch_size for s in sizes[:-1])
    assert sizes[-1] == n - batch_size * (len(batches) - 1)            # the last may be smaller
    assert all(isinstance(b, np.ndarray) and np.issubdtype(b.dtype, np.integer) for b in batches)
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_minibatches_are_shuffled_with_the_given_rng():
    a = np.concatenate(minibatch_indices(50, 8, rng(1)))
    b = np.concatenate(minibatch_indices(50, 8, rng(1)))
    c = np.concatenate(minibatch_indices(50, 8, rng(2)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, np.arange(50))
    # consecutive calls on one generator give different epochs
    g = rng(3)
    assert not np.array_equal(np.concatenate(minibatch_indices(50, 8, g)),
                              np.concatenate(minibatch_indices(50, 8, g)))


def test_minibatches_every_position_is_uniform():
    # over many epochs, index 0 lands in each of the 4 batches about equally often
    g = rng(4)
    where = [next(k for k, b in enumerate(minibatch_indices(20, 5, g)) if 0 in b) for _ in range(2000)]
    np.testing.assert_allclose(np.bincount(where, minlength=4) / 2000, 0.25, atol=0.04)


def test_minibatches_empty_and_bad_input():
    assert minibatch_indices(0, 4, rng()) == []
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_indices(10, 0, rng())
    with pytest.raises(TypeError, match="batch_size"):
        minibatch_indices(10, 2.0, rng())
    with pytest.raises(ValueError, match="n"):
        minibatch_indices(-1, 2, rng())
    with pytest.raises(TypeError, match="rng"):
        minibatch_indices(10, 2, 0)
    with forbid("minibatch_indices"), pytest.raises(DelegationError):
        minibatch_indices(10, 2, rng())


# ----------------------------------------------------------------------------- digits

def test_digits_shapes_labels_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) == set(range(10))
    assert np.all(np.bincount(y) >= 170)
    assert X.min() == 0.0 and X.max() == 1.0
    raw, y2 = load_digits(scale=False)
    np.testing.assert_array_equal(raw / 16.0, X)
    np.testing.assert_array_equal(raw, np.round(raw))               # integer counts 0..16
    assert raw.max() == 16
    np.testing.assert_array_equal(y, y2)
    img, _ = load_digits(flatten=False)
    assert img.shape == (1797, 8, 8)
    np.testing.assert_array_equal(img.reshape(1797, 64), X)


def test_digits_match_the_shipped_file():
    with gzip.open(DIGITS_FILE, "rt") as fh:
        first = [int(v) for v in fh.readline().split(",")]
    X, y = load_digits(scale=False)
    assert X[0].tolist() == first[:64] and y[0] == first[64] == 0
    # the first image is a zero: a dark ring with a hollow centre
    img = X[0].reshape(8, 8)
    assert img[3:5, 3:5].mean() < img[1:7, 1:7].mean()


def test_digits_are_cached_but_callers_get_copies():
    X1, y1 = load_digits()
    X1[:] = -1.0
    y1[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0
    assert data._digits_raw() is data._digits_raw()                 # read once


def test_digits_bad_input():
    with pytest.raises(TypeError, match="flatten"):
        load_digits(flatten="yes")
    with pytest.raises(TypeError, match="scale"):
        load_digits(scale=1)


def test_digits_split_is_fixed_and_complete():
    a = digits_split()
    b = digits_split()
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)
    Xtr, ytr, Xva, yva, Xte, yte = a
    assert (len(Xtr), len(Xva), len(Xte)) == (1257, 270, 270)
    assert Xtr.shape[1] == 64
    X, y = load_digits()
    # every sample is in exactly one part (compare rows as bytes)
    rows = lambda M, v: sorted(m.tobytes() + bytes([int(c)]) for m, c in zip(M, v))
    assert rows(np.concatenate([Xtr, Xva, Xte]), np.concatenate([ytr, yva, yte])) == rows(X, y)
    c = digits_split(rng(1))
    assert not np.array_equal(c[1], ytr)
    img = digits_split(flatten=False)[0]
    assert img.shape == (1257, 8, 8)


# ----------------------------------------------------------------------------- synthetic sets

def test_spirals():
    X, y = make_spirals(100, 3, rng())
    assert X.shape == (300, 2) and y.shape == (300,)
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    r = np.linalg.norm(X, axis=1)
    assert r.max() <= 1.0 + 1e-12                     # radius t in [0, 1]
    X0, _ = make_spirals(100, 3, rng(), noise=0.0)
    # without noise, class k is class 0 rotated by 2πk/3
    ang = 2 * np.pi / 3
    R = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    np.testing.assert_allclose(X0[:100] @ R, X0[100:200], atol=1e-12)
    with pytest.raises(ValueError, match="n_classes"):
        make_spirals(10, 0, rng())
    with pytest.raises(ValueError, match="noise"):
        make_spirals(10, 2, rng(), noise=-1)


def test_blobs():
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    X, y = make_blobs(2000, centers, rng(), std=0.5)
    assert X.shape == (6000, 2)
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.03)
    c0 = centers.copy()
    make_blobs(3, centers.astype(np.float32), rng())
    np.testing.assert_array_equal(centers, c0)
    with pytest.raises(ValueError, match="centers"):
        make_blobs(3, [1.0, 2.0], rng())
    with pytest.raises(ValueError, match="std"):
        make_blobs(3, centers, rng(), std=-0.1)


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1000.0])
def test_linear_regression_condition_number(kappa):
    X, y, w = make_linear_regression(20000, 5, rng(7), condition_number=kappa, noise=0.0)
    assert X.shape == (20000, 5) and y.shape == (20000,) and w.shape == (5,)
    np.testing.assert_allclose(y, X @ w, atol=1e-12)
    lam = np.linalg.eigvalsh(X.T @ X / len(X))       # Hessian of the MSE is 2 XᵀX / n
    assert lam.max() / lam.min() == pytest.approx(kappa, rel=0.1)
    _, y_noisy, w2 = make_linear_regression(20000, 5, rng(7), condition_number=kappa, noise=0.3)
    assert np.std(y_noisy - X @ w2) == pytest.approx(0.3, rel=0.05)


def test_linear_regression_bad_input():
    with pytest.raises(ValueError, match="condition_number"):
        make_linear_regression(10, 2, rng(), condition_number=0.5)
    with pytest.raises(ValueError, match="d"):
        make_linear_regression(10, 0, rng())


def test_correlated_cloud():
    X = make_correlated_cloud(50000, rng(), mean=(3.0, 2.0), stds=(2.0, 0.5), angle=np.pi / 6)
    assert X.shape == (50000, 2)
    np.testing.assert_allclose(X.mean(axis=0), [3.0, 2.0], atol=0.03)
    lam, U = np.linalg.eigh(np.cov(X.T, bias=True))
    np.testing.assert_allclose(np.sqrt(lam), [0.5, 2.0], rtol=0.02)
    major = U[:, 1] * np.sign(U[0, 1])
    np.testing.assert_allclose(major, [np.cos(np.pi / 6), np.sin(np.pi / 6)], atol=0.01)
    assert abs(np.corrcoef(X.T)[0, 1]) > 0.5                       # visibly correlated
    with pytest.raises(ValueError, match="stds"):
        make_correlated_cloud(10, rng(), stds=(1.0, 0.0))
    with pytest.raises(ValueError, match="mean"):
        make_correlated_cloud(10, rng(), mean=(1.0, 2.0, 3.0))
    with pytest.raises(TypeError, match="angle"):
        make_correlated_cloud(10, rng(), angle="30deg")
