"""Tests of nntrain.functions: 2-D test functions, max_stable_lr, condition_number."""
import numpy as np
import pytest

from nntrain.functions import (Function2D, condition_number, local_minima, max_stable_lr, quadratic,
                               rosenbrock, saddle)
from nntrain.gradcheck import check_gradient
from nntrain.optim import momentum_step, run, sgd_step
from nntrain.reference import DelegationError, forbid

FUNCTIONS = [quadratic(), quadratic(2.0, 30.0, angle=0.7), rosenbrock(), rosenbrock(2.0, 10.0),
             local_minima(), saddle()]
NAMES = [fn.name for fn in FUNCTIONS]


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=NAMES)
def test_gradients_match_numerical_gradient(fn):
    r = rng(1)
    for w in [fn.start, *fn.minima, *r.uniform([fn.xlim[0], fn.ylim[0]], [fn.xlim[1], fn.ylim[1]], (5, 2))]:
        w = w + 1e-2 * r.normal(size=2)      # off the critical points, where relative error is ill-defined
        assert check_gradient(fn.f, w, fn.grad(w)) < 1e-7


@pytest.mark.parametrize("fn", FUNCTIONS, ids=NAMES)
def test_vectorised_over_a_trailing_axis(fn):
    X, Y, Z = fn.grid(7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    W = np.stack([X, Y], axis=-1)
    G = fn.grad(W)
    assert G.shape == (7, 7, 2)
    for i, j in [(0, 0), (3, 5), (6, 2)]:
        assert Z[i, j] == fn.f(W[i, j])
        np.testing.assert_array_equal(G[i, j], fn.grad(W[i, j]))
    assert np.ndim(fn.f(fn.start)) == 0 and fn(fn.start) == fn.f(fn.start)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=NAMES)
def test_minima_are_critical_points_global_first_and_inside_the_box(fn):
    np.testing.assert_allclose(fn.grad(fn.minima), 0.0, atol=1e-10)
    values = fn.f(fn.minima)
    assert values[0] == values.min()
    assert values[0] <= fn.grid(101)[2].min() + 1e-12
    for x, y in [*fn.minima, fn.start]:
        assert fn.xlim[0] <= x <= fn.xlim[1] and fn.ylim[0] <= y <= fn.ylim[1]


def test_quadratic_exposes_H_and_is_half_wHw():
    fn = quadratic(1.0, 100.0)
    np.testing.assert_allclose(fn.H, np.diag([1.0, 100.0]))
    rot = quadratic(2.0, 30.0, angle=0.7)
    np.testing.assert_allclose(rot.H, rot.H.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(rot.H), [2.0, 30.0])
    W = rng(2).normal(size=(4, 2))
    np.testing.assert_allclose(rot.f(W), 0.5 * np.einsum("ni,ij,nj->n", W, rot.H, W), rtol=1e-12)
    np.testing.assert_allclose(rot.grad(W), W @ rot.H, rtol=1e-12)
    assert fn.lr < max_stable_lr(fn.H)


def test_rosenbrock_closed_form():
    fn = rosenbrock(2.0, 10.0)
    np.testing.assert_array_equal(fn.minima, [[2.0, 4.0]])
    assert fn.f([2.0, 4.0]) == 0.0
    assert fn.f([0.0, 1.0]) == pytest.approx(4.0 + 10.0)
    path = run(sgd_step, rosenbrock().grad, rosenbrock().start, 300, lr=rosenbrock().lr)
    assert len(path) == 301 and rosenbrock().f(path[-1]) < rosenbrock().f(path[0])


@pytest.mark.parametrize("lr", [0.01, 0.02, 0.05])
def test_local_minima_gd_gets_stuck_momentum_escapes(lr):
    fn = local_minima()
    glob, loc = fn.minima
    assert fn.f(glob) < fn.f(loc)
    gd = run(sgd_step, fn.grad, fn.start, 1500, lr=lr)
    mom = run(momentum_step, fn.grad, fn.start, 1500, lr=lr, rho=0.9)
    np.testing.assert_allclose(gd[-1], loc, atol=1e-6)
    np.testing.assert_allclose(mom[-1], glob, atol=1e-6)


def test_local_minima_gd_stuck_even_with_the_momentum_effective_lr():
    fn = local_minima()          # lr / (1 - rho) = 0.1 for lr = 0.01: GD still stays local
    np.testing.assert_allclose(run(sgd_step, fn.grad, fn.start, 500, lr=0.1)[-1], fn.minima[1], atol=1e-6)


def test_saddle():
    fn = saddle()
    np.testing.assert_array_equal(fn.grad([0.0, 0.0]), [0.0, 0.0])
    assert fn.f([0.0, 0.0]) == 0.0 and fn.f([0.1, 0.0]) > 0 > fn.f([0.0, 0.1])
    assert fn.grid(101)[2].min() >= -0.5                    # bounded below by the minima
    path = run(sgd_step, fn.grad, fn.start, 300, lr=fn.lr)
    near_saddle = np.linalg.norm(path, axis=1) < 0.1
    assert near_saddle.any()                                # it visits the saddle ...
    np.testing.assert_allclose(path[-1], [0.0, 1.0], atol=1e-6)   # ... and escapes


def test_function2d_bad_points():
    with pytest.raises(ValueError, match="w"):
        quadratic().f(np.ones(3))
    with pytest.raises(TypeError, match="w"):
        quadratic().grad("ab")


def test_constructor_bad_input():
    with pytest.raises(ValueError, match="h1"):
        quadratic(h1=0.0)
    with pytest.raises(ValueError, match="h2"):
        quadratic(h2=-1.0)
    with pytest.raises(ValueError, match="b"):
        rosenbrock(b=0)
    with pytest.raises(TypeError, match="angle"):
        quadratic(angle="45")
    assert "quadratic" in repr(quadratic()) and isinstance(saddle(), Function2D)


def test_max_stable_lr_and_condition_number_closed_form():
    H = np.diag([1.0, 100.0])
    assert max_stable_lr(H) == pytest.approx(0.02, rel=1e-14)
    assert condition_number(H) == pytest.approx(100.0, rel=1e-12)
    assert max_stable_lr(quadratic(1.0, 100.0, angle=0.3).H) == pytest.approx(0.02, rel=1e-12)
    assert condition_number(quadratic(1.0, 100.0, angle=0.3).H) == pytest.approx(100.0, rel=1e-10)
    assert condition_number(np.eye(3)) == pytest.approx(1.0)


def test_gd_converges_just_below_and_diverges_just_above_max_stable_lr():
    A = rng(3).normal(size=(5, 5))
    H = A @ A.T + 0.5 * np.eye(5)
    lr_max = max_stable_lr(H)
    np.testing.assert_allclose(lr_max, 2 / np.linalg.eigvalsh(H).max(), rtol=1e-12)
    w0 = np.ones(5)
    below = run(sgd_step, lambda w: H @ w, w0, 3000, lr=0.98 * lr_max)
    above = run(sgd_step, lambda w: H @ w, w0, 3000, lr=1.02 * lr_max)
    assert np.linalg.norm(below[-1]) < 1e-3 * np.linalg.norm(w0)
    assert np.linalg.norm(above[-1]) > 1e3 * np.linalg.norm(w0)


@pytest.mark.parametrize("H, exc", [
    (np.ones(3), ValueError),                                  # not 2-D
    (np.ones((2, 3)), ValueError),                             # not square
    (np.array([[1.0, 0.5], [0.0, 1.0]]), ValueError),          # not symmetric
    (np.diag([1.0, 0.0]), ValueError),                         # singular
    (np.diag([1.0, -2.0]), ValueError),                        # indefinite
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), ValueError),    # not finite
    (np.array([["a", "b"], ["c", "d"]]), TypeError),
])
def test_spd_validation(H, exc):
    for fn in (max_stable_lr, condition_number):
        with pytest.raises(exc, match="H"):
            fn(H)


def test_max_stable_lr_is_guarded_and_pure():
    H = np.diag([2.0, 4.0])
    before = H.copy()
    assert max_stable_lr(H) == 0.5
    np.testing.assert_array_equal(H, before)
    assert max_stable_lr(H.astype(np.float32)) == pytest.approx(0.5)
    with forbid("max_stable_lr"):
        with pytest.raises(DelegationError):
            max_stable_lr(H)
