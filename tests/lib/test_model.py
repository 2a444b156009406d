"""Tests of nntrain.model.MLP: parameters, gradient checks, modes, snapshots, learning."""
import numpy as np
import pytest

from nntrain.gradcheck import numerical_gradient, rel_error
from nntrain.model import MLP

SIZES = [4, 5, 6, 3]


def data(n=7, d=4, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, c, size=n)


def test_parameters_and_running_stats():
    m = MLP([4, 5, 3], np.random.default_rng(0), norm="batch")
    assert list(m.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2"]
    assert m.params["W1"].shape == (4, 5) and m.params["W2"].shape == (5, 3)
    np.testing.assert_array_equal(m.params["b1"], 0.0)
    np.testing.assert_array_equal(m.params["gamma1"], 1.0)
    np.testing.assert_array_equal(m.params["beta1"], 0.0)
    assert list(m.running) == [1]
    np.testing.assert_array_equal(m.running[1]["mean"], 0.0)
    np.testing.assert_array_equal(m.running[1]["var"], 1.0)
    assert m.n_params == 4 * 5 + 5 + 5 + 5 + 5 * 3 + 3
    plain = MLP(SIZES, np.random.default_rng(0))
    assert list(plain.params) == ["W1", "b1", "W2", "b2", "W3", "b3"] and plain.running == {}
    layer = MLP(SIZES, np.random.default_rng(0), norm="layer")
    assert "gamma2" in layer.params and "gamma3" not in layer.params and layer.running == {}


def test_initialization_choices():
    big = [400, 500, 2]
    m = MLP(big, np.random.default_rng(1))                                 # he by default
    assert abs(m.params["W1"].std() / np.sqrt(2 / 400) - 1) < 0.02
    m = MLP(big, np.random.default_rng(1), init="scaled")
    assert abs(m.params["W1"].std() * np.sqrt(400) - 1) < 0.02
    m = MLP(big, np.random.default_rng(1), init=0.5)
    assert abs(m.params["W1"].std() / 0.5 - 1) < 0.02
    m = MLP(big, np.random.default_rng(1), init="gaussian")
    assert abs(m.params["W1"].std() / 0.01 - 1) < 0.02
    m = MLP(big, np.random.default_rng(1), init="truncated", weight_scale=0.1)
    assert np.abs(m.params["W1"]).max() <= 0.2
    np.testing.assert_array_equal(MLP(SIZES, np.random.default_rng(2)).params["W2"],
                                  MLP(SIZES, np.random.default_rng(2)).params["W2"])


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="init"):
        MLP(SIZES, rng, init="xavier")
    with pytest.raises(TypeError, match="init"):
        MLP(SIZES, rng, init=None)
    with pytest.raises(ValueError, match="std"):
        MLP(SIZES, rng, init="he", weight_scale=0.1)
    with pytest.raises(ValueError, match="weight_scale"):
        MLP(SIZES, rng, init=0.1, weight_scale=0.1)
    with pytest.raises(ValueError, match="norm"):
        MLP(SIZES, rng, norm="group")
    with pytest.raises(ValueError, match="activation"):
        MLP(SIZES, rng, activation="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        MLP(SIZES, rng, dropout=1.0)
    with pytest.raises(ValueError, match="layer_sizes"):
        MLP([4], rng)
    with pytest.raises(ValueError, match="layer_sizes"):
        MLP([4, 0, 3], rng)
    with pytest.raises(TypeError, match="rng"):
        MLP(SIZES, 0)
    m = MLP(SIZES, rng)
    with pytest.raises(ValueError, match="X"):
        m.scores(np.ones((2, 5)))
    with pytest.raises(TypeError, match="train"):
        m.scores(np.ones((2, 4)), train="no")
    with pytest.raises(ValueError, match="y"):
        m.accuracy(np.ones((2, 4)), np.zeros(3, dtype=int))


CONFIGS = [
    dict(norm=None, dropout=0.0, activation="relu"),
    dict(norm=None, dropout=0.3, activation="relu"),
    dict(norm="batch", dropout=0.0, activation="relu"),
    dict(norm="batch", dropout=0.2, activation="tanh"),
    dict(norm="layer", dropout=0.0, activation="tanh"),
    dict(norm="layer", dropout=0.3, activation="relu"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c['norm']}-{c['dropout']}-{c['activation']}")
def test_gradient_check(config):
    X, y = data()
    m = MLP(SIZES, np.random.default_rng(3), init="scaled", **config)
    rng = np.random.default_rng(5)
    for name in m.params:
        if name[0] in "bg":           # biases and gamma away from 0 and 1: no row of exact
            m.params[name] = m.params[name] + rng.uniform(0.1, 0.5, m.params[name].shape)
                                      # zeros sits on ReLU's kink or normalizes to 0/eps

    def loss(_):
        m.rng = np.random.default_rng(4)          # the same dropout mask at every call
        return m.loss(X, y)[0]

    m.rng = np.random.default_rng(4)
    _, grads = m.loss(X, y)
    assert list(grads) == list(m.params)
    for name, value in m.params.items():
        assert grads[name].shape == value.shape
        numeric = numerical_gradient(loss, value)
        if config["norm"] == "batch" and name in ("b1", "b2"):
            # a bias right before batch norm is subtracted again with the batch mean
            np.testing.assert_allclose(grads[name], 0.0, atol=1e-12)
            np.testing.assert_allclose(numeric, 0.0, atol=1e-8)
            continue
        err = rel_error(grads[name], numeric)
        assert err < 1e-7, f"{name}: relative error {err:.2e}"


def test_gradient_check_batchnorm_test_mode():
    X, y = data()
    m = MLP(SIZES, np.random.default_rng(5), init="scaled", norm="batch", dropout=0.5)
    m.loss(*data(seed=1))                                   # running statistics != 0 / 1
    before = m.copy_params()
    _, grads = m.loss(X, y, train=False)
    for name, value in m.params.items():
        numeric = numerical_gradient(lambda _: m.loss(X, y, train=False)[0], value)
        assert rel_error(grads[name], numeric) < 1e-7, name
    for key, value in before.items():                      # test mode changes nothing
        np.testing.assert_array_equal(m.copy_params()[key], value)


def test_initial_loss_is_log_of_number_of_classes():
    X, y = data(n=50)
    m = MLP([4, 20, 3], np.random.default_rng(6), init=1e-3)
    loss, _ = m.loss(X, y)
    assert abs(loss - np.log(3)) < 1e-3


def test_batchnorm_running_update_and_test_mode():
    X, y = data(n=8)
    m = MLP([4, 5, 3], np.random.default_rng(7), norm="batch")
    h1 = X @ m.params["W1"] + m.params["b1"]
    m.loss(X, y)
    np.testing.assert_allclose(m.running[1]["mean"], 0.1 * h1.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.running[1]["var"], 0.9 + 0.1 * h1.var(axis=0), rtol=1e-12)
    after = {k: v.copy() for k, v in m.running[1].items()}
    scores = m.scores(X)
    np.testing.assert_array_equal(m.running[1]["mean"], after["mean"])
    # test mode: a sample's scores do not depend on the batch it comes in
    np.testing.assert_allclose(m.scores(X[3:4]), scores[3:4], rtol=1e-12)
    # train mode: they do
    assert not np.allclose(m.scores(X[:4], train=True), m.scores(X, train=True)[:4])


def test_dropout_uses_model_rng_only_in_train_mode():
    X, y = data()
    m = MLP(SIZES, np.random.default_rng(8), dropout=0.5)
    state = m.rng.bit_generator.state
    s1, s2 = m.scores(X), m.scores(X)
    np.testing.assert_array_equal(s1, s2)
    assert m.rng.bit_generator.state == state
    t1, t2 = m.scores(X, train=True), m.scores(X, train=True)
    assert not np.allclose(t1, t2)
    no_dropout = MLP(SIZES, np.random.default_rng(8))
    np.testing.assert_allclose(no_dropout.scores(X), s1)   # same weights, inverted dropout


def test_predict_and_accuracy():
    m = MLP([2, 3], np.random.default_rng(9))
    m.params["W1"] = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-2.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(m.predict(X), [0, 1, 2, 0])
    assert m.accuracy(X, [0, 1, 2, 2]) == 0.75
    assert m.accuracy(X.astype(np.float32), np.array([0, 1, 2, 0])) == 1.0


def test_copy_and_set_params():
    X, y = data(n=8)
    m = MLP([4, 5, 3], np.random.default_rng(10), norm="batch")
    m.loss(X, y)
    snap = m.copy_params()
    assert set(snap) == set(m.params) | {"running_mean1", "running_var1"}
    scores = m.scores(X)
    for _ in range(3):                                # "train" a little: params and running move
        _, grads = m.loss(X + 1.0, y)
        for name in m.params:
            m.params[name] = m.params[name] - 0.5 * grads[name]
    assert not np.allclose(m.scores(X), scores)
    assert not np.allclose(snap["W1"], m.params["W1"])     # the snapshot holds copies
    params_dict = m.params
    m.set_params(snap)
    assert m.params is params_dict
    np.testing.assert_allclose(m.scores(X), scores, rtol=1e-12)
    snap["W1"][0, 0] = 123.0                          # set_params copied, too
    assert m.params["W1"][0, 0] != 123.0
    with pytest.raises(ValueError, match="snapshot"):
        m.set_params({k: v for k, v in snap.items() if k != "running_var1"})
    with pytest.raises(ValueError, match="snapshot"):
        m.set_params({**snap, "W1": np.ones((5, 4))})
    with pytest.raises(TypeError, match="snapshot"):
        m.set_params(None)


def test_loss_does_not_mutate_inputs_and_accepts_float32():
    X, y = data()
    Xb, yb = X.copy(), y.copy()
    m = MLP(SIZES, np.random.default_rng(11), norm="layer", dropout=0.2)
    loss64, _ = m.loss(X, y, train=False)
    loss32, grads = m.loss(X.astype(np.float32), y, train=False)
    assert abs(loss32 - loss64) < 1e-5
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    np.testing.assert_array_equal(X, Xb)
    np.testing.assert_array_equal(y, yb)


@pytest.mark.parametrize("norm", [None, "batch", "layer"])
def test_learns_a_separable_problem(norm):
    rng = np.random.default_rng(12)
    centers = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    y = rng.integers(0, 3, size=150)
    X = centers[y] + 0.5 * rng.normal(size=(150, 2))
    m = MLP([2, 16, 3], np.random.default_rng(13), norm=norm, dropout=0.1)
    first, _ = m.loss(X, y)
    for _ in range(150):
        loss, grads = m.loss(X, y)
        for name in m.params:
            m.params[name] = m.params[name] - 0.2 * grads[name]
    assert loss < 0.5 * first
    assert m.accuracy(X, y) > 0.95
