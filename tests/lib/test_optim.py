"""Tests of nntrain.optim: update rules, stateful optimizers, make_optimizer and run."""
import numpy as np
import pytest

from nntrain.optim import (SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, Optimizer, RMSProp,
                           StepFunction, adagrad_step, adam_step, adamw_step, make_optimizer, momentum_step,
                           nesterov_step, rmsprop_step, run, sgd_step)
from nntrain.reference import DelegationError, forbid


def rng(seed=0):
    return np.random.default_rng(seed)


# (contract name, pure function, class, hyperparameters, state names) for every rule
RULES = [
    ("sgd_step", sgd_step, SGD, dict(lr=0.1), ()),
    ("momentum_step", momentum_step, Momentum, dict(lr=0.05, rho=0.8), ("v",)),
    ("nesterov_step", nesterov_step, Nesterov, dict(lr=0.05, rho=0.8), ("v",)),
    ("rmsprop_step", rmsprop_step, RMSProp, dict(lr=0.01, rho=0.9, eps=1e-6), ("s",)),
    ("adagrad_step", adagrad_step, AdaGrad, dict(lr=0.1, eps=1e-6), ("s",)),
    ("adam_step", adam_step, Adam, dict(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-6), ("m", "s")),
    ("adam_step", adam_step, Adam, dict(lr=0.01, bias_correction=False), ("m", "s")),
    ("adamw_step", adamw_step, AdamW, dict(lr=0.01, beta2=0.99, weight_decay=0.1), ("m", "s")),
]
IDS = [f"{r[0]}-{i}" for i, r in enumerate(RULES)]


def pure_call(fn, w, g, state, t, hyper):
    """Call a pure rule with its state (and t for Adam); return (w_next, new state list)."""
    extra = (t,) if fn in (adam_step, adamw_step) else ()
    out = fn(w, g, *state, *extra, **hyper)
    return (out, []) if not state else (out[0], list(out[1:]))


# ----------------------------------------------------------------------------- closed forms

def test_sgd_closed_form():
    np.testing.assert_allclose(sgd_step(np.array([1.0, -2.0]), np.array([0.5, 1.0]), 0.1),
                               [0.95, -2.1], rtol=1e-15)


def test_momentum_closed_form():
    w, v = momentum_step(np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([0.5, 0.5]), 0.1, 0.9)
    np.testing.assert_allclose(v, [1.45, -0.55], rtol=1e-14)
    np.testing.assert_allclose(w, [0.855, 2.055], rtol=1e-14)


def test_nesterov_closed_form():
    w, v = nesterov_step(np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([0.5, 0.5]), 0.1, 0.9)
    np.testing.assert_allclose(v, [1.45, -0.55], rtol=1e-14)
    np.testing.assert_allclose(w, [0.7695, 2.1495], rtol=1e-14)   # w - 0.1 (g + 0.9 v_next)


def test_rmsprop_closed_form():
    w, s = rmsprop_step(np.array([1.0]), np.array([2.0]), np.array([1.0]), lr=0.1, rho=0.5, eps=0.0)
    np.testing.assert_allclose(s, [2.5], rtol=1e-15)                 # 0.5 * 1 + 0.5 * 4
    np.testing.assert_allclose(w, [1 - 0.2 / 1.5811388300841898], rtol=1e-14)


def test_adagrad_closed_form_and_shrinking_steps():
    w, s = adagrad_step(np.array([1.0]), np.array([2.0]), np.array([1.0]), lr=0.1, eps=0.0)
    np.testing.assert_allclose(s, [5.0])
    np.testing.assert_allclose(w, [1 - 0.2 / 2.23606797749979], rtol=1e-14)
    # with a constant gradient the t-th step is lr / sqrt(t): AdaGrad's steps only shrink
    w, s, g = np.zeros(1), np.zeros(1), np.ones(1)
    steps = []
    for _ in range(4):
        w_next, s = adagrad_step(w, g, s, lr=1.0, eps=0.0)
        steps.append((w - w_next)[0])
        w = w_next
    np.testing.assert_allclose(steps, 1 / np.sqrt([1, 2, 3, 4]), rtol=1e-14)


def test_eps_keeps_zero_gradient_finite():
    z = np.zeros(3)
    for w, _ in (rmsprop_step(z, z, z), adagrad_step(z, z, z)):
        np.testing.assert_array_equal(w, z)
    w, m, s = adam_step(z, z, z, z, 1)
    np.testing.assert_array_equal(w, z)


def test_adam_constant_gradient_moves_lr_per_step_with_bias_correction():
    # with bias correction, m_hat = g and s_hat = g² exactly for a constant g: each step is lr
    g = np.array([2.0, -3.0, 1e-3, 1e3])
    w, m, s = np.zeros(4), np.zeros(4), np.zeros(4)
    for t in range(1, 6):
        w_next, m, s = adam_step(w, g, m, s, t, lr=0.01, eps=0.0)
        np.testing.assert_allclose(w - w_next, 0.01 * np.sign(g), rtol=1e-10)
        w = w_next


def test_bias_correction_makes_first_step_lr_per_coordinate():
    g = rng().normal(size=6) * np.logspace(-3, 3, 6)      # gradients of wildly different size
    z = np.zeros(6)
    w, _, _ = adam_step(z, g, z, z, 1, lr=1e-3)
    np.testing.assert_allclose(np.abs(w), 1e-3, rtol=1e-3)      # ≈: eps matters a little for tiny g
    # without it the first step is (1 - beta1) / sqrt(1 - beta2) ≈ 3.16 times larger
    w, _, _ = adam_step(z, g, z, z, 1, lr=1e-3, eps=0.0, bias_correction=False)
    np.testing.assert_allclose(np.abs(w), 1e-3 * 0.1 / np.sqrt(0.001), rtol=1e-12)


def test_adam_closed_form_second_step():
    w, m, s = adam_step(np.array([1.0]), np.array([3.0]), np.array([1.0]), np.array([4.0]), 2,
                        lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    np.testing.assert_allclose(m, [2.0])                       # 0.5 * 1 + 0.5 * 3
    np.testing.assert_allclose(s, [5.25])                      # 0.75 * 4 + 0.25 * 9
    m_hat, s_hat = 2.0 / 0.75, 5.25 / (1 - 0.5625)
    np.testing.assert_allclose(w, [1 - 0.1 * m_hat / np.sqrt(s_hat)], rtol=1e-14)


def test_adam_with_beta1_zero_and_no_bias_correction_is_exactly_rmsprop():
    r = rng(1)
    w, g, s = r.normal(size=(3, 4)), r.normal(size=(3, 4)), r.random((3, 4))
    m = r.normal(size=(3, 4))                                   # ignored when beta1 = 0
    wa, _, sa = adam_step(w, g, m, s, 7, lr=0.03, beta1=0.0, beta2=0.9, eps=1e-7, bias_correction=False)
    wr, sr = rmsprop_step(w, g, s, lr=0.03, rho=0.9, eps=1e-7)
    np.testing.assert_array_equal(wa, wr)
    np.testing.assert_array_equal(sa, sr)


def test_adamw_is_adam_plus_decoupled_decay():
    r = rng(2)
    w, g, m, s = r.normal(size=5), r.normal(size=5), r.normal(size=5), r.random(5)
    hyper = dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8)
    wa, ma, sa = adam_step(w, g, m, s, 3, **hyper)
    ww, mw, sw = adamw_step(w, g, m, s, 3, **hyper, weight_decay=0.5)
    np.testing.assert_allclose(ww, wa - 0.01 * 0.5 * w, rtol=1e-13)
    assert not np.allclose(ww, wa)
    np.testing.assert_array_equal(mw, ma)
    np.testing.assert_array_equal(sw, sa)
    np.testing.assert_array_equal(adamw_step(w, g, m, s, 3, **hyper, weight_decay=0.0)[0], wa)


def test_two_momentum_forms_give_the_same_path_for_constant_lr():
    H = np.array([[1.0, 0.3], [0.3, 10.0]])
    lr, rho = 0.05, 0.9
    lecture = run(momentum_step, lambda w: H @ w, np.array([1.0, -1.0]), 50, lr=lr, rho=rho)
    w, u, cs231n = np.array([1.0, -1.0]), np.zeros(2), [np.array([1.0, -1.0])]
    for _ in range(50):
        u = rho * u - lr * (H @ w)                  # lr inside the velocity
        w = w + u
        cs231n.append(w)
    np.testing.assert_allclose(lecture, np.array(cs231n), rtol=1e-10, atol=1e-14)


def test_momentum_with_rho_zero_is_sgd_and_nesterov_differs_from_momentum():
    r = rng(3)
    w, g, v = r.normal(size=4), r.normal(size=4), r.normal(size=4)
    np.testing.assert_allclose(momentum_step(w, g, v, 0.1, rho=0.0)[0], sgd_step(w, g, 0.1), rtol=1e-15)
    assert not np.allclose(nesterov_step(w, g, v, 0.1)[0], momentum_step(w, g, v, 0.1)[0])


# ----------------------------------------------------------------------------- pure-function manners

@pytest.mark.parametrize("name, fn, cls, hyper, state_names", RULES, ids=IDS)
def test_inputs_not_mutated_and_new_arrays_returned(name, fn, cls, hyper, state_names):
    r = rng(4)
    w, g = r.normal(size=(2, 3)), r.normal(size=(2, 3))
    state = [r.random((2, 3)) for _ in state_names]
    before = [a.copy() for a in (w, g, *state)]
    w_next, state_next = pure_call(fn, w, g, state, 2, hyper)
    for a, b in zip((w, g, *state), before):
        np.testing.assert_array_equal(a, b)
    for out in (w_next, *state_next):
        assert out.shape == w.shape
        assert not any(np.shares_memory(out, a) for a in (w, g, *state))


@pytest.mark.parametrize("name, fn, cls, hyper, state_names", RULES, ids=IDS)
def test_float32_inputs_stay_float32_and_agree_with_float64(name, fn, cls, hyper, state_names):
    r = rng(5)
    w, g = r.normal(size=5), r.normal(size=5)
    state = [r.random(5) for _ in state_names]
    w64, s64 = pure_call(fn, w, g, state, 3, hyper)
    w32, s32 = pure_call(fn, w.astype(np.float32), g.astype(np.float32),
                         [a.astype(np.float32) for a in state], 3, hyper)
    assert w32.dtype == np.float32 and all(a.dtype == np.float32 for a in s32)
    np.testing.assert_allclose(w32, w64, rtol=1e-5, atol=1e-6)
    # mixed precision is computed in float64
    assert pure_call(fn, w.astype(np.float32), g, state, 3, hyper)[0].dtype == np.float64


def test_lists_and_ints_are_accepted():
    np.testing.assert_allclose(sgd_step([1, 2], [1, 1], 1), [0.0, 1.0])


@pytest.mark.parametrize("call, match, exc", [
    (lambda: sgd_step(np.ones(2), np.ones(2), 0.0), "lr", ValueError),
    (lambda: sgd_step(np.ones(2), np.ones(2), -0.1), "lr", ValueError),
    (lambda: sgd_step(np.ones(2), np.ones(2), "0.1"), "lr", TypeError),
    (lambda: sgd_step(np.ones(2), np.ones(3), 0.1), "grad", ValueError),
    (lambda: sgd_step(np.array(["a", "b"]), np.ones(2), 0.1), "w", TypeError),
    (lambda: momentum_step(np.ones(2), np.ones(2), np.ones(3), 0.1), "v", ValueError),
    (lambda: momentum_step(np.ones(2), np.ones(2), np.ones(2), 0.1, rho=1.0), "rho", ValueError),
    (lambda: nesterov_step(np.ones(2), np.ones(2), np.ones(2), 0.1, rho=-0.1), "rho", ValueError),
    (lambda: rmsprop_step(np.ones(2), np.ones(2), np.ones((2, 1))), "s", ValueError),
    (lambda: rmsprop_step(np.ones(2), np.ones(2), np.ones(2), eps=-1e-8), "eps", ValueError),
    (lambda: adagrad_step(np.ones(2), np.ones(2), np.ones(2), lr=np.inf), "lr", ValueError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 0), "t", ValueError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1.0), "t", TypeError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(3), np.ones(2), 1), "m", ValueError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, beta1=1.0), "beta1", ValueError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, beta2=1.5), "beta2", ValueError),
    (lambda: adam_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, bias_correction="no"),
     "bias_correction", TypeError),
    (lambda: adamw_step(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, weight_decay=-1), "weight_decay",
     ValueError),
])
def test_bad_input_names_the_argument(call, match, exc):
    with pytest.raises(exc, match=match):
        call()


# ----------------------------------------------------------------------------- classes

@pytest.mark.parametrize("name, fn, cls, hyper, state_names", RULES, ids=IDS)
def test_class_step_equals_pure_function_over_several_steps(name, fn, cls, hyper, state_names):
    r = rng(6)
    params = {"W": r.normal(size=(3, 2)), "b": r.normal(size=2)}
    opt = cls(**hyper)
    pure = {k: (w.copy(), [np.zeros_like(w) for _ in state_names]) for k, w in params.items()}
    for t in range(1, 6):
        grads = {k: r.normal(size=w.shape) for k, w in params.items()}
        opt.step(params, grads)
        for k in params:
            pure[k] = pure_call(fn, pure[k][0], grads[k], pure[k][1], t, hyper)
            np.testing.assert_array_equal(params[k], pure[k][0])
            for sname, arr in zip(state_names, pure[k][1]):
                np.testing.assert_array_equal(opt.state[k][sname], arr)
    if cls in (Adam, AdamW):
        assert all(opt.state[k]["t"] == 5 for k in params)


@pytest.mark.parametrize("name, fn, cls, hyper, state_names", RULES, ids=IDS)
def test_class_step_is_guarded_against_delegation(name, fn, cls, hyper, state_names):
    params, grads = {"w": np.ones(3)}, {"w": np.ones(3)}
    opt = cls(**hyper)
    with forbid(name):
        with pytest.raises(DelegationError):
            opt.step(params, grads)
        with pytest.raises(DelegationError):
            pure_call(fn, np.ones(3), np.ones(3), [np.zeros(3) for _ in state_names], 1, hyper)
    np.testing.assert_array_equal(params["w"], np.ones(3))        # nothing happened
    opt.step(params, grads)                                        # fine outside forbid


def test_adam_delegation_guard_through_the_class():
    with forbid("adam_step"):
        with pytest.raises(DelegationError):
            Adam().step({"w": np.ones(2)}, {"w": np.ones(2)})
    assert Adam().state == {}


def test_lr_is_settable_and_used():
    opt, params = SGD(lr=0.1), {"w": np.array([1.0])}
    opt.step(params, {"w": np.array([1.0])})
    opt.lr = 0.5
    opt.step(params, {"w": np.array([1.0])})
    np.testing.assert_allclose(params["w"], [0.4])
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0


def test_reset_restarts_adam_counter_and_state():
    g = {"w": np.array([1.0, -2.0])}
    opt = Adam(lr=0.1)
    first = {"w": np.zeros(2)}
    opt.step(first, g)
    opt.step({"w": np.zeros(2)}, g)
    assert opt.state["w"]["t"] == 2
    opt.reset()
    again = {"w": np.zeros(2)}
    opt.step(again, g)
    np.testing.assert_array_equal(again["w"], first["w"])


def test_state_is_per_parameter_and_lazy():
    opt = Momentum(lr=0.1)
    opt.step({"a": np.zeros(2)}, {"a": np.ones(2)})
    opt.step({"a": np.zeros(2), "b": np.zeros(3)}, {"a": np.ones(2), "b": np.ones(3)})
    np.testing.assert_allclose(opt.state["a"]["v"], [1.9, 1.9])
    np.testing.assert_allclose(opt.state["b"]["v"], [1.0, 1.0, 1.0])


@pytest.mark.parametrize("name, fn, cls, hyper, state_names", RULES, ids=IDS)
def test_class_handles_gradient_that_is_the_parameter_itself(name, fn, cls, hyper, state_names):
    w1, w2 = np.array([1.0, 2.0]), np.array([1.0, 2.0])
    a, b = cls(**hyper), cls(**hyper)
    for _ in range(3):
        a.step({"w": w1}, {"w": w1})               # grad of ½|w|² is w: same object
        b.step({"w": w2}, {"w": w2.copy()})
    np.testing.assert_array_equal(w1, w2)


def test_float32_params_stay_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    for cls in (SGD, Momentum, Nesterov, RMSProp, AdaGrad, Adam, AdamW):
        opt = cls(lr=0.1)
        opt.step(params, {"w": np.ones(3)})
        assert params["w"].dtype == np.float32
        assert all(a.dtype == np.float32 for a in opt.state.get("w", {}).values()
                   if isinstance(a, np.ndarray))


@pytest.mark.parametrize("params, grads, exc, match", [
    ([np.ones(2)], {"w": np.ones(2)}, TypeError, "dict"),
    ({"w": np.ones(2)}, {"v": np.ones(2)}, ValueError, "grads"),
    ({"w": np.ones(2, dtype=int)}, {"w": np.ones(2)}, TypeError, "params"),
    ({"w": [1.0, 2.0]}, {"w": np.ones(2)}, TypeError, "params"),
    ({"w": np.ones(2)}, {"w": np.ones(3)}, ValueError, "grads"),
])
def test_class_bad_input(params, grads, exc, match):
    with pytest.raises(exc, match=match):
        Momentum(lr=0.1).step(params, grads)


def test_class_bad_hyperparameters():
    with pytest.raises(ValueError, match="rho"):
        Momentum(lr=0.1, rho=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW(weight_decay=-0.1)
    with pytest.raises(ValueError, match="lr"):
        SGD(lr=0)


def test_make_optimizer_and_repr():
    expected = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "rmsprop": RMSProp,
                "adagrad": AdaGrad, "adam": Adam, "adamw": AdamW}
    for name, cls in expected.items():
        opt = make_optimizer(name, lr=0.2)
        assert type(opt) is cls and isinstance(opt, Optimizer) and opt.lr == 0.2
    assert make_optimizer("Adam", beta1=0.5).hyper["beta1"] == 0.5
    assert repr(Adam(lr=0.01)) == "Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, bias_correction=True)"
    assert repr(Momentum(0.1, rho=0.5)) == "Momentum(lr=0.1, rho=0.5)"
    with pytest.raises(ValueError, match="name"):
        make_optimizer("lbfgs")
    with pytest.raises(TypeError, match="name"):
        make_optimizer(3)


# ----------------------------------------------------------------------------- StepFunction

@pytest.mark.parametrize("step, cls, hyper", [
    (sgd_step, SGD, {}), (momentum_step, Momentum, {"rho": 0.8}), (nesterov_step, Nesterov, {"rho": 0.8}),
    (adagrad_step, AdaGrad, {}), (rmsprop_step, RMSProp, {"rho": 0.9}), (adam_step, Adam, {}),
    (adamw_step, AdamW, {"weight_decay": 0.1})])
def test_step_function_trains_exactly_like_the_class(step, cls, hyper):
    rng = np.random.default_rng(5)
    mine, ref = StepFunction(step, lr=0.05, **hyper), cls(lr=0.05, **hyper)
    p1 = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    p2 = {k: v.copy() for k, v in p1.items()}
    ids = {k: id(v) for k, v in p1.items()}
    for i in range(12):
        grads = {k: rng.standard_normal(v.shape) for k, v in p1.items()}
        if i == 6:
            mine.lr = ref.lr = 0.01                      # a schedule changes lr between steps
        mine.step(p1, grads)
        ref.step(p2, grads)
        for k in p1:
            np.testing.assert_allclose(p1[k], p2[k], rtol=1e-12, atol=1e-15)
    assert {k: id(v) for k, v in p1.items()} == ids, "parameters must be updated in place"
    assert "StepFunction(" in repr(mine) and step.__name__ in repr(mine)


def test_step_function_with_a_students_adam_counts_t_from_one():
    seen = []

    def my_adam(w, grad, m, s, t, lr=1e-3):
        seen.append(t)
        return w - lr * grad, m, s

    opt, params = StepFunction(my_adam, lr=0.1), {"a": np.ones(2), "b": np.ones(3)}
    for _ in range(3):
        opt.step(params, {"a": np.ones(2), "b": np.ones(3)})
    assert seen == [1, 1, 2, 2, 3, 3]
    with pytest.raises(TypeError, match="step"):
        StepFunction("adam", lr=0.1)


# ----------------------------------------------------------------------------- run

def test_run_path_matches_class_for_adam_and_counts_t():
    H = np.diag([1.0, 20.0])
    path = run(adam_step, lambda w: H @ w, [1.0, 1.0], 30, lr=0.05)
    assert path.shape == (31, 2)
    np.testing.assert_array_equal(path[0], [1.0, 1.0])
    opt, params = Adam(lr=0.05), {"w": np.array([1.0, 1.0])}
    for i in range(30):
        opt.step(params, {"w": H @ params["w"]})
        np.testing.assert_allclose(path[i + 1], params["w"], rtol=1e-13)


def test_run_with_a_students_function_and_each_state_kind():
    def my_rmsprop(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):     # detected by its "s"
        s = rho * s + (1 - rho) * grad ** 2
        return w - lr * grad / (np.sqrt(s) + eps), s

    grad = lambda w: np.array([2.0, 0.5]) * w
    np.testing.assert_allclose(run(my_rmsprop, grad, [1.0, -1.0], 20, lr=0.01),
                               run(rmsprop_step, grad, [1.0, -1.0], 20, lr=0.01), rtol=1e-12)
    sgd_path = run(sgd_step, grad, [1.0, -1.0], 3, lr=0.1)
    np.testing.assert_allclose(sgd_path[:, 0], 0.8 ** np.arange(4))
    mom = run(momentum_step, grad, [1.0, -1.0], 2, lr=0.1, rho=0.5)
    np.testing.assert_allclose(mom[:, 0], [1.0, 0.8, 0.8 - 0.1 * (0.5 * 2 + 1.6)])


def test_run_stops_when_diverging():
    H = np.diag([1.0, 10.0])
    path = run(sgd_step, lambda w: H @ w, [1.0, 1.0], 1000, lr=0.3)    # 0.3 > 2 / 10
    assert 2 < len(path) < 1001
    assert np.all(np.isfinite(path)) and np.linalg.norm(path[-1]) > 1e6
    path = run(sgd_step, lambda w: np.array([np.inf, 0.0]), [1.0, 1.0], 10, lr=0.1)
    np.testing.assert_array_equal(path, [[1.0, 1.0]])                    # non-finite dropped


def test_run_bad_input():
    with pytest.raises(ValueError, match="n_steps"):
        run(sgd_step, lambda w: w, [1.0], -1, lr=0.1)
    with pytest.raises(ValueError, match="w0"):
        run(sgd_step, lambda w: w, np.ones((2, 2)), 3, lr=0.1)
    with pytest.raises(TypeError, match="step"):
        run("sgd", lambda w: w, [1.0], 3, lr=0.1)
