"""Tests of nntrain.ema: the moving average, its weights and its bias correction."""
import numpy as np
import pytest

from nntrain.ema import debiased_ema, ema, ema_update, ema_weights
from nntrain.optim import rmsprop_step
from nntrain.reference import DelegationError, forbid


def rng(seed=0):
    return np.random.default_rng(seed)


def test_ema_update_closed_form():
    np.testing.assert_allclose(ema_update(2.0, 4.0, 0.75), 2.5, rtol=1e-15)
    np.testing.assert_allclose(ema_update(np.array([1.0, 0.0]), np.array([3.0, -2.0]), 0.5), [2.0, -1.0])
    np.testing.assert_allclose(ema_update(0.0, np.array([1.0, 2.0]), 0.9), [0.1, 0.2], rtol=1e-14)


def test_rho_zero_means_no_averaging():
    x = rng().normal(size=(4, 3))
    np.testing.assert_array_equal(ema_update(np.ones(3), x[0], 0.0), x[0])
    np.testing.assert_array_equal(ema(x, 0.0), x)
    np.testing.assert_array_equal(debiased_ema(x, 0.0), x)


def test_ema_closed_form():
    np.testing.assert_allclose(ema([1.0, 2.0, 3.0], 0.5), [0.5, 1.25, 2.125], rtol=1e-15)
    np.testing.assert_allclose(ema([1.0, 2.0, 3.0], 0.5, s0=4.0), [2.5, 2.25, 2.625], rtol=1e-15)


def test_ema_matches_unrolled_sum_and_carries_later_axes():
    r = rng(1)
    xs, s0, rho = r.normal(size=(7, 2, 3)), r.normal(size=(2, 3)), 0.8
    s = ema(xs, rho, s0)
    assert s.shape == xs.shape
    for n in range(1, 8):
        unrolled = rho ** n * s0 + sum((1 - rho) * rho ** (n - i) * xs[i - 1] for i in range(1, n + 1))
        np.testing.assert_allclose(s[n - 1], unrolled, rtol=1e-12, atol=1e-14)


def test_ema_weights_closed_form_and_sum():
    np.testing.assert_allclose(ema_weights(3, 0.5), [0.125, 0.25, 0.5], rtol=1e-15)
    for n in (1, 2, 10, 100):
        for rho in (0.0, 0.5, 0.9, 0.99):
            w = ema_weights(n, rho)
            assert w.shape == (n,)
            np.testing.assert_allclose(w.sum(), 1 - rho ** n, rtol=1e-12)
    assert ema_weights(0, 0.9).shape == (0,)


def test_ema_weights_match_ema_of_one_hot_sequences():
    n, rho = 6, 0.7
    # column j of the identity is the one-hot sequence x_i = [i == j]; s_n is its weight
    np.testing.assert_allclose(ema(np.eye(n), rho)[-1], ema_weights(n, rho), rtol=1e-13)


def test_debiased_ema_of_a_constant_is_the_constant():
    for rho in (0.5, 0.9, 0.999):
        np.testing.assert_allclose(debiased_ema(np.full(50, 3.0), rho), 3.0, rtol=1e-10)
    c = np.array([[1.0, -2.0, 5.0]])
    np.testing.assert_allclose(debiased_ema(np.repeat(c, 10, axis=0), 0.9), np.repeat(c, 10, axis=0),
                               rtol=1e-10)
    assert ema(np.full(3, 3.0), 0.9)[0] == pytest.approx(0.3)     # the bias it removes


def test_debiased_ema_closed_form():
    np.testing.assert_allclose(debiased_ema([1.0, 2.0, 3.0], 0.5),
                               [0.5 / 0.5, 1.25 / 0.75, 2.125 / 0.875], rtol=1e-14)


def test_float32_and_non_mutation():
    xs = rng(2).normal(size=(5, 3)).astype(np.float32)
    s0 = np.ones(3, dtype=np.float32)
    xs_before, s0_before = xs.copy(), s0.copy()
    s = ema(xs, 0.9, s0)
    assert s.dtype == np.float32
    np.testing.assert_allclose(s, ema(xs.astype(float), 0.9, s0.astype(float)), rtol=1e-5)
    assert ema_update(s0, xs[0], 0.9).dtype == np.float32
    np.testing.assert_allclose(debiased_ema(xs, 0.9), debiased_ema(xs.astype(float), 0.9), rtol=1e-5)
    np.testing.assert_array_equal(xs, xs_before)
    np.testing.assert_array_equal(s0, s0_before)
    out = ema_update(s0, xs[0], 0.5)
    assert not np.shares_memory(out, s0)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ema_update(0.0, 1.0, 1.0), ValueError, "rho"),
    (lambda: ema_update(0.0, 1.0, -0.1), ValueError, "rho"),
    (lambda: ema_update(0.0, 1.0, "0.9"), TypeError, "rho"),
    (lambda: ema_update(np.ones(2), np.ones(3), 0.9), ValueError, "s"),
    (lambda: ema(np.ones((4, 2)), 0.9, s0=np.ones(3)), ValueError, "s0"),
    (lambda: ema(1.0, 0.9), ValueError, "xs"),
    (lambda: ema(np.array(["a"]), 0.9), TypeError, "xs"),
    (lambda: ema_weights(-1, 0.9), ValueError, "n"),
    (lambda: ema_weights(3.0, 0.9), TypeError, "n"),
    (lambda: ema_weights(3, 1.0), ValueError, "rho"),
    (lambda: debiased_ema(np.ones(3), 1.0), ValueError, "rho"),
])
def test_bad_input_names_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_delegation_guard():
    with forbid("ema"):
        with pytest.raises(DelegationError):
            ema(np.ones(3), 0.9)
    # RMSProp's s is an EMA: chapter 04's tests forbid every update rule, so it is caught too
    from nntrain.reference import CHAPTERS
    with forbid(*CHAPTERS["04_moving_averages"]):
        with pytest.raises(DelegationError):
            rmsprop_step(np.ones(2), np.ones(2), np.zeros(2))
