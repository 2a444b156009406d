"""Tests of nntrain.layers: values, gradient checks, running statistics, dropout semantics."""
import numpy as np
import pytest

from nntrain.gradcheck import numerical_gradient_array, rel_error
from nntrain.layers import (ACTIVATIONS, affine_backward, affine_forward, batchnorm_backward,
                            batchnorm_forward, dropout_backward, dropout_forward,
                            instancenorm_forward, layernorm_backward,
                            layernorm_forward, relu, relu_backward, relu_forward,
                            spatial_batchnorm_backward, spatial_batchnorm_forward, tanh,
                            tanh_backward, tanh_forward)
from nntrain.reference import REFERENCES, CHAPTERS, DelegationError, forbid
from nntrain.testing import snapshot

TOL = 1e-7


def assert_grad(f, x, dout, analytic):
    """analytic must be the gradient of sum(f(x) * dout) with respect to x."""
    numeric = numerical_gradient_array(f, x, dout)
    err = rel_error(analytic, numeric)
    assert err < TOL, f"relative error {err:.2e}"


def fresh_running(d, rng):
    return {"mean": rng.normal(size=d), "var": rng.uniform(0.5, 2.0, size=d)}


# ------------------------------------------------------------------------------ affine

def test_affine_forward_by_hand():
    x = np.array([[1.0, 2.0], [0.0, -1.0]])
    W = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, -1.0]])
    b = np.array([0.5, 0.0, -0.5])
    out, _ = affine_forward(x, W, b)
    np.testing.assert_allclose(out, [[7.5, 2.0, -0.5], [-2.5, -1.0, 0.5]])


def test_affine_gradients():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    dout = rng.normal(size=(4, 3))
    _, cache = affine_forward(x, W, b)
    dx, dW, db = affine_backward(dout, cache)
    assert_grad(lambda z: affine_forward(z, W, b)[0], x, dout, dx)
    assert_grad(lambda z: affine_forward(x, z, b)[0], W, dout, dW)
    assert_grad(lambda z: affine_forward(x, W, z)[0], b, dout, db)


def test_affine_bad_shapes():
    x, W, b = np.ones((2, 3)), np.ones((3, 4)), np.ones(4)
    with pytest.raises(ValueError, match="W"):
        affine_forward(x, np.ones((2, 4)), b)
    with pytest.raises(ValueError, match="b"):
        affine_forward(x, W, np.ones(3))
    with pytest.raises(ValueError, match="x"):
        affine_forward(np.ones(3), W, b)
    _, cache = affine_forward(x, W, b)
    with pytest.raises(ValueError, match="dout"):
        affine_backward(np.ones((2, 3)), cache)


# ------------------------------------------------------------------------- activations

def test_activation_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(relu(x), [0, 0, 0, 0.5, 2.0])
    np.testing.assert_allclose(tanh(x), np.tanh(x))
    np.testing.assert_array_equal(relu_forward(x)[0], relu(x))
    assert set(ACTIVATIONS) == {"relu", "tanh"}


@pytest.mark.parametrize("name", ["relu", "tanh"])
def test_activation_gradients(name):
    _, forward, backward = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    x[np.abs(x) < 0.05] = 0.3              # keep clear of ReLU's kink
    dout = rng.normal(size=x.shape)
    _, cache = forward(x)
    assert_grad(lambda z: forward(z)[0], x, dout, backward(dout, cache))


def test_relu_backward_zero_where_negative():
    x = np.array([-1.0, 2.0, -3.0])
    _, cache = relu_forward(x)
    np.testing.assert_array_equal(relu_backward(np.array([5.0, 6.0, 7.0]), cache), [0.0, 6.0, 0.0])
    _, cache = tanh_forward(np.zeros(3))
    np.testing.assert_array_equal(tanh_backward(np.ones(3), cache), np.ones(3))


# ----------------------------------------------------------------------------- dropout

@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_train_output_and_mask(inverted):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 40)) + 3.0
    p = 0.2
    out, mask = dropout_forward(x, p, np.random.default_rng(3), train=True, inverted=inverted)
    assert mask.shape == x.shape and np.issubdtype(mask.dtype, np.floating)
    assert set(np.unique(mask)) <= {0.0, 1.0}
    expected = x * mask / (1 - p) if inverted else x * mask
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_dropout_p_is_drop_probability():
    # keep fraction 1 - p; 200 000 draws: the std of the fraction is 0.0009
    x = np.ones((400, 500))
    for p in (0.2, 0.5, 0.7):
        _, mask = dropout_forward(x, p, np.random.default_rng(4))
        assert abs(mask.mean() - (1 - p)) < 0.01
    out, mask = dropout_forward(x, 0.0, np.random.default_rng(4))
    np.testing.assert_array_equal(out, x)
    assert np.all(mask == 1.0)


def test_dropout_inverted_preserves_expectation():
    p = 0.2
    vals = np.array([1.0, -2.0, 0.5, 4.0])
    x = np.tile(vals, (100_000, 1))                 # 100 000 independent draws per unit
    out, _ = dropout_forward(x, p, np.random.default_rng(5), train=True, inverted=True)
    # per-unit std of the mean is |v| * sqrt(p / (1-p)) / sqrt(1e5) = 0.0016 |v|
    np.testing.assert_allclose(out.mean(axis=0), vals, rtol=0.015)
    test_out, test_mask = dropout_forward(vals, p, np.random.default_rng(5), train=False)
    np.testing.assert_array_equal(test_out, vals)
    np.testing.assert_array_equal(test_mask, np.ones(4))


def test_dropout_plain_test_time_scales_by_keep_probability():
    p = 0.2                                          # p != 0.5: "scale by p" would be wrong
    vals = np.array([1.0, -2.0, 0.5, 4.0])
    test_out, test_mask = dropout_forward(vals, p, np.random.default_rng(6), train=False,
                                          inverted=False)
    np.testing.assert_allclose(test_out, vals * 0.8, rtol=1e-12)
    np.testing.assert_array_equal(test_mask, np.ones(4))
    x = np.tile(vals, (100_000, 1))
    train_out, _ = dropout_forward(x, p, np.random.default_rng(7), train=True, inverted=False)
    np.testing.assert_allclose(train_out.mean(axis=0), test_out, rtol=0.015)
    assert not np.allclose(train_out.mean(axis=0), vals * p, rtol=0.1)


def test_dropout_test_mode_returns_copy_and_draws_nothing():
    x = np.arange(6.0).reshape(2, 3)
    rng = np.random.default_rng(8)
    state = snapshot(rng.bit_generator.state)
    out, _ = dropout_forward(x, 0.3, rng, train=False)
    assert rng.bit_generator.state == state
    out[0, 0] = 100.0
    assert x[0, 0] == 0.0


@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_gradient(inverted):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(5, 7))
    dout = rng.normal(size=x.shape)
    p = 0.2
    forward = lambda z: dropout_forward(z, p, np.random.default_rng(10), inverted=inverted)[0]
    _, mask = dropout_forward(x, p, np.random.default_rng(10), inverted=inverted)
    assert 0 < mask.sum() < mask.size
    assert_grad(forward, x, dout, dropout_backward(dout, mask, p, inverted=inverted))


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan")])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match="p"):
        dropout_forward(np.ones(3), p, np.random.default_rng(0))
    with pytest.raises(ValueError, match="p"):
        dropout_backward(np.ones(3), np.ones(3), p)


def test_dropout_bad_arguments():
    with pytest.raises(TypeError, match="rng"):
        dropout_forward(np.ones(3), 0.5, 0)
    with pytest.raises(TypeError, match="train"):
        dropout_forward(np.ones(3), 0.5, np.random.default_rng(0), train="yes")
    with pytest.raises(ValueError, match="mask"):
        dropout_backward(np.ones(3), np.ones(4), 0.5)


def test_dropout_float32_and_no_mutation():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    before = x.copy()
    out, mask = dropout_forward(x, 0.25, np.random.default_rng(11))
    assert np.all(np.isfinite(out)) and out.shape == x.shape
    np.testing.assert_allclose(out, before * mask / 0.75, rtol=1e-6)
    dx = dropout_backward(np.ones_like(x), mask, 0.25)
    np.testing.assert_allclose(dx, mask / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(x, before)


# ------------------------------------------------------------------------- batch norm

def test_batchnorm_train_output_by_formula():
    rng = np.random.default_rng(12)
    x = rng.normal(3.0, 2.0, size=(8, 4))
    gamma, beta = rng.uniform(0.5, 2, 4), rng.normal(size=4)
    out, _, _ = batchnorm_forward(x, gamma, beta, fresh_running(4, rng), eps=1e-5)
    mu = x.sum(axis=0) / 8
    var = ((x - mu) ** 2).sum(axis=0) / 8                 # biased: divide by N
    np.testing.assert_allclose(out, gamma * (x - mu) / np.sqrt(var + 1e-5) + beta, rtol=1e-10)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-4)


def test_batchnorm_gamma_sigma_beta_mu_recovers_input():
    # the lecture's claim, exact when sigma includes eps: sigma = sqrt(var + eps)
    rng = np.random.default_rng(13)
    x = rng.normal(-1.0, 3.0, size=(10, 5))
    eps = 1e-5
    gamma, beta = np.sqrt(x.var(axis=0) + eps), x.mean(axis=0)
    out, _, _ = batchnorm_forward(x, gamma, beta, fresh_running(5, rng), eps=eps)
    np.testing.assert_allclose(out, x, rtol=1e-10, atol=1e-12)
    # with gamma = sigma (no eps) the input comes back up to a relative error of eps / var
    out, _, _ = batchnorm_forward(x, x.std(axis=0), beta, fresh_running(5, rng), eps=eps)
    np.testing.assert_allclose(out, x, rtol=1e-5, atol=1e-5)


def test_batchnorm_running_update_and_no_mutation():
    rng = np.random.default_rng(14)
    x = rng.normal(size=(4, 3))                 # N = 4: biased and unbiased var differ by 4/3
    gamma, beta = np.ones(3), np.zeros(3)
    running = fresh_running(3, rng)
    before = snapshot(running)
    _, _, nxt = batchnorm_forward(x, gamma, beta, running, momentum=0.8)
    np.testing.assert_allclose(nxt["mean"], 0.8 * before["mean"] + 0.2 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(nxt["var"], 0.8 * before["var"] + 0.2 * x.var(axis=0), rtol=1e-12)
    assert nxt is not running and set(nxt) == {"mean", "var"}
    for key in ("mean", "var"):
        np.testing.assert_array_equal(running[key], before[key])
        assert nxt[key] is not running[key]


def test_batchnorm_test_mode_uses_running_stats():
    rng = np.random.default_rng(15)
    x = rng.normal(size=(6, 3))
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    running = fresh_running(3, rng)
    before = snapshot(running)
    out, _, nxt = batchnorm_forward(x, gamma, beta, running, train=False, eps=1e-5)
    expected = gamma * (x - before["mean"]) / np.sqrt(before["var"] + 1e-5) + beta
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    assert nxt is not running
    for key in ("mean", "var"):
        np.testing.assert_array_equal(nxt[key], before[key])
        np.testing.assert_array_equal(running[key], before[key])
        assert nxt[key] is not running[key]
    # a sample's output does not depend on the rest of the batch
    single, _, _ = batchnorm_forward(x[2:3], gamma, beta, running, train=False, eps=1e-5)
    np.testing.assert_allclose(single, out[2:3], rtol=1e-12)


def test_batchnorm_running_stats_converge_to_population():
    rng = np.random.default_rng(16)
    running = {"mean": np.zeros(2), "var": np.ones(2)}
    for _ in range(300):
        x = rng.normal([5.0, -1.0], [2.0, 0.5], size=(64, 2))
        _, _, running = batchnorm_forward(x, np.ones(2), np.zeros(2), running)
    np.testing.assert_allclose(running["mean"], [5.0, -1.0], atol=0.2)
    np.testing.assert_allclose(running["var"], [4.0, 0.25], rtol=0.15)


def test_batchnorm_gradients_train():
    rng = np.random.default_rng(17)
    x = rng.normal(2.0, 3.0, size=(6, 4))
    gamma, beta = rng.uniform(0.5, 2, 4), rng.normal(size=4)
    dout = rng.normal(size=x.shape)
    running = fresh_running(4, rng)
    f = lambda xx, g, bb: batchnorm_forward(xx, g, bb, running)[0]
    _, cache, _ = batchnorm_forward(x, gamma, beta, running)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert_grad(lambda z: f(z, gamma, beta), x, dout, dx)
    assert_grad(lambda z: f(x, z, beta), gamma, dout, dgamma)
    assert_grad(lambda z: f(x, gamma, z), beta, dout, dbeta)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)   # shifting x changes nothing


def test_batchnorm_gradients_test_mode():
    rng = np.random.default_rng(18)
    x = rng.normal(size=(5, 3))
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    dout = rng.normal(size=x.shape)
    running = fresh_running(3, rng)
    f = lambda xx, g: batchnorm_forward(xx, g, beta, running, train=False)[0]
    _, cache, _ = batchnorm_forward(x, gamma, beta, running, train=False)
    dx, dgamma, _ = batchnorm_backward(dout, cache)
    assert_grad(lambda z: f(z, gamma), x, dout, dx)
    assert_grad(lambda z: f(x, z), gamma, dout, dgamma)


def test_batchnorm_float32():
    rng = np.random.default_rng(19)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    running = {"mean": np.zeros(3, np.float32), "var": np.ones(3, np.float32)}
    out, cache, nxt = batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), running)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(nxt["mean"], 0.1 * x.astype(np.float64).mean(axis=0), rtol=1e-5)
    dx, dgamma, dbeta = batchnorm_backward(np.ones((8, 3), np.float32), cache)
    np.testing.assert_allclose(dx, 0.0, atol=1e-5)
    np.testing.assert_allclose(dbeta, 8.0, rtol=1e-6)


def test_batchnorm_does_not_mutate_inputs():
    rng = np.random.default_rng(20)
    args = [rng.normal(size=(5, 3)), rng.uniform(1, 2, 3), rng.normal(size=3), fresh_running(3, rng)]
    before = snapshot(args)
    _, cache, _ = batchnorm_forward(*args)
    dout = rng.normal(size=(5, 3))
    dout_before = dout.copy()
    batchnorm_backward(dout, cache)
    for a, b in zip(args[:3], before[:3]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(dout, dout_before)


def test_batchnorm_bad_inputs():
    x, g, b = np.ones((4, 3)), np.ones(3), np.zeros(3)
    running = {"mean": np.zeros(3), "var": np.ones(3)}
    with pytest.raises(ValueError, match="gamma"):
        batchnorm_forward(x, np.ones(4), b, running)
    with pytest.raises(ValueError, match="beta"):
        batchnorm_forward(x, g, np.ones((1, 3)), running)
    with pytest.raises(ValueError, match="x"):
        batchnorm_forward(np.ones((4, 3, 1)), g, b, running)
    with pytest.raises(ValueError, match="running"):
        batchnorm_forward(x, g, b, {"mean": np.zeros(3)})
    with pytest.raises(ValueError, match="running"):
        batchnorm_forward(x, g, b, {"mean": np.zeros(2), "var": np.ones(3)})
    with pytest.raises(ValueError, match="running"):
        batchnorm_forward(x, g, b, {"mean": np.zeros(3), "var": -np.ones(3)})
    with pytest.raises(TypeError, match="running"):
        batchnorm_forward(x, g, b, None)
    with pytest.raises(ValueError, match="momentum"):
        batchnorm_forward(x, g, b, running, momentum=1.5)
    with pytest.raises(ValueError, match="eps"):
        batchnorm_forward(x, g, b, running, eps=0.0)
    with pytest.raises(TypeError, match="train"):
        batchnorm_forward(x, g, b, running, train=None)
    _, cache, _ = batchnorm_forward(x, g, b, running)
    with pytest.raises(ValueError, match="dout"):
        batchnorm_backward(np.ones((4, 2)), cache)


# ----------------------------------------------------------------- spatial batch norm

def test_spatial_batchnorm_statistics_per_channel():
    rng = np.random.default_rng(21)
    x = rng.normal(size=(3, 2, 4, 5)) * np.array([1.0, 5.0])[:, None, None] + \
        np.array([-2.0, 7.0])[:, None, None]
    gamma, beta = np.array([2.0, 0.5]), np.array([1.0, -1.0])
    running = {"mean": np.zeros(2), "var": np.ones(2)}
    out, _, nxt = spatial_batchnorm_forward(x, gamma, beta, running, momentum=0.9)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-4)
    np.testing.assert_allclose(nxt["mean"], 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(nxt["var"], 0.9 + 0.1 * x.var(axis=(0, 2, 3)), rtol=1e-12)
    # test mode: per channel affine map with the running statistics
    out_test, _, same = spatial_batchnorm_forward(x, gamma, beta, nxt, train=False, eps=1e-5)
    shape = (1, 2, 1, 1)
    expected = (gamma.reshape(shape) * (x - nxt["mean"].reshape(shape))
                / np.sqrt(nxt["var"].reshape(shape) + 1e-5) + beta.reshape(shape))
    np.testing.assert_allclose(out_test, expected, rtol=1e-10)
    np.testing.assert_array_equal(same["mean"], nxt["mean"])


def test_spatial_batchnorm_gradients():
    rng = np.random.default_rng(23)          # (seed 22 puts one entry of dx at 6e-5, where the
    x = rng.normal(1.0, 2.0, size=(2, 3, 3, 2))  # element-wise relative error is round-off)
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    dout = rng.normal(size=x.shape)
    running = fresh_running(3, rng)
    f = lambda xx, g, bb: spatial_batchnorm_forward(xx, g, bb, running)[0]
    _, cache, _ = spatial_batchnorm_forward(x, gamma, beta, running)
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert dx.shape == x.shape and dgamma.shape == (3,) and dbeta.shape == (3,)
    assert_grad(lambda z: f(z, gamma, beta), x, dout, dx)
    assert_grad(lambda z: f(x, z, beta), gamma, dout, dgamma)
    assert_grad(lambda z: f(x, gamma, z), beta, dout, dbeta)


def test_spatial_batchnorm_bad_inputs():
    running = {"mean": np.zeros(3), "var": np.ones(3)}
    with pytest.raises(ValueError, match="x"):
        spatial_batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), running)
    with pytest.raises(ValueError, match="gamma"):
        spatial_batchnorm_forward(np.ones((2, 3, 2, 2)), np.ones(2), np.zeros(3), running)
    with pytest.raises(ValueError, match="running"):
        spatial_batchnorm_forward(np.ones((2, 4, 2, 2)), np.ones(4), np.zeros(4), running)


# ------------------------------------------------------------------------- layer norm

def test_layernorm_statistics_per_sample():
    rng = np.random.default_rng(23)
    x = rng.normal(size=(4, 6)) * np.array([[1.0], [10.0], [0.1], [3.0]]) + 5.0
    out, _ = layernorm_forward(x, np.ones(6), np.zeros(6), eps=1e-8)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-5)
    gamma, beta = rng.uniform(0.5, 2, 6), rng.normal(size=6)
    out, _ = layernorm_forward(x, gamma, beta, eps=1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    np.testing.assert_allclose(out, gamma * (x - mu) / np.sqrt(var + 1e-5) + beta, rtol=1e-10)
    # same in train and test: a sample alone gives the same output
    alone, _ = layernorm_forward(x[1:2], gamma, beta, eps=1e-5)
    np.testing.assert_allclose(alone, out[1:2], rtol=1e-12)


def test_layernorm_gradients():
    rng = np.random.default_rng(24)
    x = rng.normal(size=(4, 5))
    gamma, beta = rng.uniform(0.5, 2, 5), rng.normal(size=5)
    dout = rng.normal(size=x.shape)
    _, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    assert_grad(lambda z: layernorm_forward(z, gamma, beta)[0], x, dout, dx)
    assert_grad(lambda z: layernorm_forward(x, z, beta)[0], gamma, dout, dgamma)
    assert_grad(lambda z: layernorm_forward(x, gamma, z)[0], beta, dout, dbeta)
    np.testing.assert_allclose(dx.sum(axis=1), 0.0, atol=1e-12)


def test_layernorm_float32_and_bad_inputs():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out, _ = layernorm_forward(x, np.ones(4, np.float32), np.zeros(4, np.float32))
    np.testing.assert_allclose(out[0], (np.arange(4) - 1.5) / np.sqrt(1.25 + 1e-5), rtol=1e-5)
    with pytest.raises(ValueError, match="gamma"):
        layernorm_forward(x, np.ones(3), np.zeros(4))
    with pytest.raises(ValueError, match="x"):
        layernorm_forward(np.ones(4), np.ones(4), np.zeros(4))


# ---------------------------------------------------------------------- instance norm

def test_instancenorm_statistics_per_sample_and_channel():
    rng = np.random.default_rng(25)
    x = rng.normal(size=(2, 3, 4, 4)) * rng.uniform(0.5, 5, size=(2, 3, 1, 1)) + \
        rng.normal(0, 5, size=(2, 3, 1, 1))
    out, _ = instancenorm_forward(x, np.ones(3), np.zeros(3), eps=1e-8)
    np.testing.assert_allclose(out.mean(axis=(2, 3)), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(2, 3)), 1.0, rtol=1e-5)
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 1.0])
    out, _ = instancenorm_forward(x, gamma, beta, eps=1e-8)
    np.testing.assert_allclose(out.mean(axis=(2, 3)), np.tile(beta, (2, 1)), atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(2, 3)), np.tile(gamma, (2, 1)), rtol=1e-5)
    alone, _ = instancenorm_forward(x[1:], gamma, beta, eps=1e-8)
    np.testing.assert_allclose(alone, out[1:], rtol=1e-12)


def test_instancenorm_bad_inputs():
    with pytest.raises(ValueError, match="x"):
        instancenorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="beta"):
        instancenorm_forward(np.ones((2, 3, 2, 2)), np.ones(3), np.zeros(2))


# ---------------------------------------------------------------- reference machinery

def test_contract_functions_are_registered_references():
    names = CHAPTERS["08_dropout"] + CHAPTERS["09_normalization"]
    import nntrain.layers as layers
    for name in names:
        assert REFERENCES[name] is getattr(layers, name)
