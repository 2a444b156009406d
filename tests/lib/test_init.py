"""Tests of nntrain.init.

Statistical checks draw 200 000 weights: the sample std then has a relative standard
error of 1/sqrt(2n) ≈ 0.0016, and the tolerances below are more than 10 of those.
"""
import numpy as np
import pytest

from nntrain.init import (INITIALIZERS, gaussian_init, he_init, initialize, layer_stats,
                          scaled_init, truncated_normal_init)
from nntrain.layers import relu, tanh

FAN_IN, FAN_OUT = 400, 500          # 200 000 entries


def test_shapes_and_reproducibility():
    for fn in INITIALIZERS.values():
        W = fn(3, 7, np.random.default_rng(0))
        assert W.shape == (3, 7) and W.dtype == np.float64
        np.testing.assert_array_equal(W, fn(3, 7, np.random.default_rng(0)))
        assert not np.array_equal(W, fn(3, 7, np.random.default_rng(1)))


def test_gaussian_std():
    W = gaussian_init(FAN_IN, FAN_OUT, np.random.default_rng(1))
    assert abs(W.std() - 0.01) < 0.0003
    assert abs(W.mean()) < 0.0002            # std of the mean: 0.01 / sqrt(2e5) = 2.2e-5
    W = gaussian_init(FAN_IN, FAN_OUT, np.random.default_rng(2), std=0.5)
    assert abs(W.std() - 0.5) < 0.015
    # about 4.6 % of a Gaussian lies beyond 2 std: the untruncated draw has them
    assert 0.04 < np.mean(np.abs(W) > 1.0) < 0.052


def test_truncated_normal_is_redrawn_not_clipped():
    std = 0.01
    W = truncated_normal_init(FAN_IN, FAN_OUT, np.random.default_rng(3), std=std)
    assert W.shape == (FAN_IN, FAN_OUT)
    assert np.all(np.abs(W) <= 2 * std)
    # clipping would put 4.6 % of the entries exactly on ±2 std; redrawing puts
    # P(1.99 < |z| <= 2 | |z| <= 2) ≈ 0.11 % into the last 0.01 std
    assert np.mean(np.abs(W) > 1.99 * std) < 0.004
    assert np.unique(W).size == W.size
    # std of N(0, 1) truncated to [-2, 2] is 0.8796
    assert abs(W.std() / std - 0.8796) < 0.015
    # P(|z| < 1 | |z| <= 2) = 0.6827 / 0.9545 = 0.7153
    assert abs(np.mean(np.abs(W) < std) - 0.7153) < 0.01
    assert abs(W.mean()) < 0.0002


def test_truncated_normal_custom_std():
    W = truncated_normal_init(50, 40, np.random.default_rng(4), std=2.0)
    assert np.all(np.abs(W) <= 4.0) and W.std() > 1.5


@pytest.mark.parametrize("fan_in", [25, 400])
def test_scaled_and_he_std(fan_in):
    n_out = 200_000 // fan_in
    W = scaled_init(fan_in, n_out, np.random.default_rng(5))
    assert abs(W.std() * np.sqrt(fan_in) - 1.0) < 0.02
    W = he_init(fan_in, n_out, np.random.default_rng(6))
    assert abs(W.std() / np.sqrt(2.0 / fan_in) - 1.0) < 0.02
    assert abs(W.mean()) < 0.01 * np.sqrt(2.0 / fan_in)


def test_he_keeps_relu_second_moment():
    # with He init, the mean square of ReLU activations stays put through many layers
    rng = np.random.default_rng(7)
    X = rng.normal(size=(500, 200))
    weights = [he_init(200, 200, rng) for _ in range(10)]
    means_sq = [m ** 2 + s ** 2 for m, s in layer_stats(X, weights, relu)]
    assert all(0.5 < v < 2.0 for v in means_sq)
    # N(0, 0.01²) makes them collapse: each layer multiplies the std by about 0.01 * sqrt(200)
    weights = [gaussian_init(200, 200, rng) for _ in range(10)]
    assert layer_stats(X, weights, tanh)[-1][1] < 1e-6


def test_layer_stats_by_hand():
    X = np.array([[1.0, -1.0], [2.0, 0.0]])
    W1 = np.eye(2)                                  # relu(X) = [[1, 0], [2, 0]]
    W2 = np.array([[1.0], [1.0]])                   # relu([[1], [2]]) = [[1], [2]]
    stats = layer_stats(X, [W1, W2], relu)
    assert len(stats) == 2
    assert all(isinstance(v, float) for pair in stats for v in pair)
    # layer 1: values 1, 0, 2, 0: mean 0.75, var (0.0625 + 0.5625 + 1.5625 + 0.5625) / 4
    assert stats[0][0] == pytest.approx(0.75)
    assert stats[0][1] == pytest.approx(np.sqrt(0.6875))       # ddof = 0, not 1
    assert stats[1] == pytest.approx((1.5, 0.5))
    # the activation is applied after every layer, and the input is not listed
    assert layer_stats(X, [W1], lambda h: h) == [pytest.approx((0.5, np.sqrt(1.25)))]
    assert layer_stats(X, [], relu) == []


def test_layer_stats_float32_and_no_mutation():
    X = np.array([[1.0, -1.0], [2.0, 0.0]], dtype=np.float32)
    weights = [np.eye(2, dtype=np.float32)]
    before = (X.copy(), weights[0].copy())
    stats = layer_stats(X, weights, relu)
    assert stats[0] == pytest.approx((0.75, np.sqrt(0.6875)), rel=1e-6)
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(weights[0], before[1])


def test_layer_stats_bad_inputs():
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        layer_stats(X, [np.ones((3, 4)), np.ones((3, 2))], relu)
    with pytest.raises(ValueError, match="X"):
        layer_stats(np.ones(3), [np.ones((3, 4))], relu)
    with pytest.raises(TypeError, match="activation"):
        layer_stats(X, [np.ones((3, 4))], "relu")


def test_initialize_by_name():
    assert set(INITIALIZERS) == {"gaussian", "truncated", "scaled", "he"}
    W = initialize("he", 50, 30, np.random.default_rng(8))
    np.testing.assert_array_equal(W, he_init(50, 30, np.random.default_rng(8)))
    W = initialize("truncated", 50, 30, np.random.default_rng(9), std=1.0)
    assert np.all(np.abs(W) <= 2.0) and W.std() > 0.5
    with pytest.raises(ValueError, match="name"):
        initialize("xavier", 3, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="std"):
        initialize("he", 3, 3, np.random.default_rng(0), std=0.1)


@pytest.mark.parametrize("fn", list(INITIALIZERS.values()))
def test_bad_arguments(fn):
    with pytest.raises(TypeError, match="rng"):
        fn(3, 3, 0)
    with pytest.raises(ValueError, match="fan_in"):
        fn(0, 3, np.random.default_rng(0))
    with pytest.raises(TypeError, match="fan_out"):
        fn(3, 2.5, np.random.default_rng(0))


@pytest.mark.parametrize("fn", [gaussian_init, truncated_normal_init])
def test_bad_std(fn):
    for std in (0.0, -0.01, float("inf")):
        with pytest.raises(ValueError, match="std"):
            fn(3, 3, np.random.default_rng(0), std=std)
