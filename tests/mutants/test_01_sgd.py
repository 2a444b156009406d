"""Mutant tests of chapter 01_sgd: realistic wrong implementations must lose points, correct
ones written differently must earn full points (see tests/harness.py)."""
import numpy as np
import pytest

from nntrain.functions import max_stable_lr as _library_max_stable_lr
from nntrain.losses import mse_gradient as _library_mse_gradient
from nntrain.optim import sgd_step as _library_sgd_step
from tests.harness import mutant_tests

CHAPTER = "01_sgd"


# ----------------------------------------------------------------------------- sgd_step: wrong

def sgd_step__plus_sign(w, grad, lr):
    return w + lr * grad


def sgd_step__ignores_lr(w, grad, lr):
    return w - grad


def sgd_step__hardcoded_lr(w, grad, lr=0.01):
    return w - 0.01 * grad


def sgd_step__in_place(w, grad, lr):
    w -= lr * grad
    return w


def sgd_step__lr_squared(w, grad, lr):
    return w - lr ** 2 * grad


def sgd_step__uses_w_as_gradient(w, grad, lr):
    return w - lr * w


def sgd_step__returns_step_only(w, grad, lr):
    return -lr * grad


def sgd_step__divides_by_lr(w, grad, lr):
    return w - grad / lr


def sgd_step__float32_always(w, grad, lr):
    return np.asarray(w, dtype=np.float32) - np.float32(lr) * np.asarray(grad, dtype=np.float32)


def sgd_step__mutates_grad(w, grad, lr):
    grad *= lr
    return w - grad


def sgd_step__flattens(w, grad, lr):
    return (np.ravel(w) - lr * np.ravel(grad))


def sgd_step__returns_old_w(w, grad, lr):
    return np.copy(w)


def sgd_step__mean_gradient(w, grad, lr):
    return w - lr * np.mean(grad)


def sgd_step__float32_via_astype(w, grad, lr):
    return (w - lr * grad).astype(np.float32)          # "float32 is what networks use"


def sgd_step__rounds_result(w, grad, lr):
    return np.round(w - lr * grad, 6)                    # "to hide rounding noise"


def sgd_step__at_least_1d(w, grad, lr):
    return np.atleast_1d(w - lr * grad)                  # a 0-d w comes back with shape (1,)


def sgd_step__delegates_top_level(w, grad, lr):
    return _library_sgd_step(w, grad, lr)


def sgd_step__delegates_inside(w, grad, lr):
    from nntrain import optim
    return optim.sgd_step(w, grad, lr)


def sgd_step__delegates_to_momentum(w, grad, lr):
    from nntrain.optim import momentum_step
    return momentum_step(w, grad, np.zeros_like(w), lr, rho=0.0)[0]


def sgd_step__delegates_to_class(w, grad, lr):
    from nntrain.optim import SGD
    params = {"w": np.array(w, dtype=float)}
    SGD(lr=lr).step(params, {"w": np.array(grad, dtype=float)})
    return params["w"]


# ----------------------------------------------------------------------------- sgd_step: right

def sgd_step__negative_lr_added(w, grad, lr):
    return w + (-lr) * grad


def sgd_step__numpy_ufuncs(w, grad, lr):
    return np.subtract(w, np.multiply(lr, grad))


def sgd_step__copy_then_in_place(w, grad, lr):
    w_next = np.array(w, copy=True)
    w_next -= lr * grad
    return w_next


def sgd_step__float32_preserving(w, grad, lr):
    w = np.asarray(w)
    return (w - w.dtype.type(lr) * grad).astype(w.dtype)


def sgd_step__loop(w, grad, lr):
    w = np.asarray(w)
    out = np.empty(w.shape, dtype=np.result_type(w, grad))
    for idx in np.ndindex(w.shape):
        out[idx] = w[idx] - lr * grad[idx]
    return out


def sgd_step__grad_times_lr(w, grad, lr):
    step = grad * lr
    return w - step


def sgd_step__asarray_first(w, grad, lr):
    w, grad = np.asarray(w), np.asarray(grad)
    return np.asarray(w - lr * grad)                      # a 0-d array for 0-d inputs


# ----------------------------------------------------------------------------- mse_gradient: wrong

def mse_gradient__no_factor_2(w, X, y):
    return X.T @ (X @ w - y) / X.shape[0]


def mse_gradient__no_mean(w, X, y):
    return 2 * X.T @ (X @ w - y)


def mse_gradient__wrong_sign(w, X, y):
    return 2 / X.shape[0] * X.T @ (y - X @ w)


def mse_gradient__divides_by_D(w, X, y):
    return 2 / X.shape[1] * X.T @ (X @ w - y)


def mse_gradient__divides_by_size(w, X, y):
    return 2 / X.size * X.T @ (X @ w - y)


def mse_gradient__no_transpose(w, X, y):
    return 2 / X.shape[0] * X @ (X @ w - y)


def mse_gradient__wrong_axis(w, X, y):
    r = X @ w - y
    return np.mean(2 * X * r[:, None], axis=1)


def mse_gradient__ignores_y(w, X, y):
    return 2 / X.shape[0] * X.T @ (X @ w)


def mse_gradient__plus_y(w, X, y):
    return 2 / X.shape[0] * X.T @ (X @ w + y)


def mse_gradient__product_of_means(w, X, y):
    return 2 * np.mean(X @ w - y) * X.mean(axis=0)


def mse_gradient__returns_loss(w, X, y):
    return np.mean((X @ w - y) ** 2)


def mse_gradient__squared_residual(w, X, y):
    return 2 / X.shape[0] * X.T @ (X @ w - y) ** 2


def mse_gradient__y_column(w, X, y):
    r = X @ w - y[:, None]
    return 2 / X.shape[0] * X.T @ r


def mse_gradient__unbiased_n_minus_1(w, X, y):
    return 2 / (X.shape[0] - 1) * X.T @ (X @ w - y)


def mse_gradient__hardcoded_N(w, X, y):
    return 2 / 3 * X.T @ (X @ w - y)


def mse_gradient__mutates_y(w, X, y):
    y *= -1
    return 2 / X.shape[0] * X.T @ (X @ w + y)


def mse_gradient__mutates_X(w, X, y):
    X *= 2.0 / X.shape[0]
    return X.T @ (X @ w * X.shape[0] / 2.0 - y)


def mse_gradient__float16(w, X, y):
    X16, w16, y16 = (np.asarray(a, dtype=np.float16) for a in (X, w, y))
    return 2 / X.shape[0] * X16.T @ (X16 @ w16 - y16)


def mse_gradient__delegates_top_level(w, X, y):
    return _library_mse_gradient(w, X, y)


def mse_gradient__delegates_inside(w, X, y):
    from nntrain.losses import mse_gradient as g
    return g(w, X, y)


# ----------------------------------------------------------------------------- mse_gradient: right

def mse_gradient__normal_equations(w, X, y):
    return 2 * (X.T @ X @ w - X.T @ y) / len(y)


def mse_gradient__loop(w, X, y):
    grad = np.zeros(X.shape[1])
    for x_i, y_i in zip(X, y):
        grad += 2 * (x_i @ w - y_i) * x_i
    return grad / len(X)


def mse_gradient__einsum(w, X, y):
    r = np.einsum("nd,d->n", X, w) - y
    return 2.0 * np.einsum("nd,n->d", X, r) / X.shape[0]


def mse_gradient__mean_of_rows(w, X, y):
    r = X @ w - y
    return 2 * np.mean(r[:, None] * X, axis=0)


def mse_gradient__dot_residual_first(w, X, y):
    return np.dot(X.dot(w) - y, X) * (2.0 / y.size)


def mse_gradient__float32_preserving(w, X, y):
    dtype = np.result_type(w, X, y)
    r = (X @ w - y).astype(dtype)
    return (dtype.type(2) / dtype.type(X.shape[0]) * (X.T @ r)).astype(dtype)


# ----------------------------------------------------------------------------- max_stable_lr: wrong

def max_stable_lr__one_over(H):
    return 1.0 / np.linalg.eigvalsh(H)[-1]


def max_stable_lr__lambda_min(H):
    return 2.0 / np.linalg.eigvalsh(H)[0]


def max_stable_lr__max_diagonal(H):
    return 2.0 / np.max(np.diag(H))


def max_stable_lr__trace(H):
    return 2.0 / np.trace(H)


def max_stable_lr__frobenius(H):
    return 2.0 / np.linalg.norm(H)


def max_stable_lr__assumes_descending(H):
    return 2.0 / np.linalg.eigvalsh(H)[0]


def max_stable_lr__unsorted_eig_first(H):
    return float(2.0 / np.real(np.linalg.eig(H)[0][0]))


def max_stable_lr__optimal_lr(H):
    lam = np.linalg.eigvalsh(H)
    return 2.0 / (lam[0] + lam[-1])


def max_stable_lr__max_entry(H):
    return 2.0 / np.max(np.abs(H))


def max_stable_lr__array_result(H):
    return 2.0 / np.linalg.eigvalsh(H)[-1:]


def max_stable_lr__gershgorin(H):
    return 2.0 / np.max(np.sum(np.abs(H), axis=1))


def max_stable_lr__sqrt(H):
    return 2.0 / np.sqrt(np.linalg.eigvalsh(H)[-1])


def max_stable_lr__safety_margin(H):
    return 0.99 * 2.0 / np.linalg.eigvalsh(H)[-1]


def max_stable_lr__determinant(H):
    return 2.0 / np.linalg.det(H)


def max_stable_lr__squared(H):
    return 2.0 / np.linalg.eigvalsh(H.T @ H)[-1]


def max_stable_lr__mean_eigenvalue(H):
    return 2.0 / np.mean(np.linalg.eigvalsh(H))


def max_stable_lr__mutates_H(H):
    H *= 0.5
    return 1.0 / np.linalg.eigvalsh(H)[-1]


def max_stable_lr__row_sum_without_abs(H):
    return 2.0 / np.max(H.sum(axis=1))


def max_stable_lr__last_diagonal_entry(H):
    return 2.0 / H[-1, -1]                                # "eigvalsh sorts, so the last one ..."


def max_stable_lr__few_power_iterations(H):
    v = np.ones(H.shape[0])
    for _ in range(3):                                    # too few steps to converge
        v = H @ v
        v = v / np.linalg.norm(v)
    return 2.0 / float(v @ H @ v)


def max_stable_lr__delegates_top_level(H):
    return _library_max_stable_lr(H)


def max_stable_lr__delegates_inside(H):
    from nntrain import functions
    return functions.max_stable_lr(H)


# ----------------------------------------------------------------------------- max_stable_lr: right

def max_stable_lr__eigvalsh_max(H):
    return 2 / np.linalg.eigvalsh(H).max()


def max_stable_lr__spectral_norm(H):
    return 2.0 / np.linalg.norm(H, 2)


def max_stable_lr__svd(H):
    return 2.0 / np.linalg.svd(H, compute_uv=False)[0]


def max_stable_lr__eig_real(H):
    return 2.0 / np.max(np.linalg.eig(H)[0].real)


def max_stable_lr__power_iteration(H):
    H = np.asarray(H, dtype=np.float64)
    v = np.arange(1.0, H.shape[0] + 1.0) + 0.5
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(20000):
        u = H @ v
        new = float(v @ u)
        v = u / np.linalg.norm(u)
        if abs(new - lam) <= 1e-15 * abs(new):
            lam = new
            break
        lam = new
    return 2.0 / lam


def max_stable_lr__eigvals_plain(H):
    return 2 / max(np.linalg.eigvals(H))


def max_stable_lr__float32_preserving(H):
    lam = np.linalg.eigvalsh(H)          # float32 for a float32 H
    return lam.dtype.type(2) / lam[-1]


def max_stable_lr__eigh_numpy_scalar(H):
    lam, _ = np.linalg.eigh(H)
    return np.float64(2.0) / lam[-1]


def max_stable_lr__sorted_eigvals(H):
    return float(2.0 / np.sort(np.linalg.eigvals(H).real)[-1])


WRONG = [
    ("sgd_step", f) for f in [
        sgd_step__plus_sign, sgd_step__ignores_lr, sgd_step__hardcoded_lr, sgd_step__in_place,
        sgd_step__lr_squared, sgd_step__uses_w_as_gradient, sgd_step__returns_step_only,
        sgd_step__divides_by_lr, sgd_step__float32_always, sgd_step__mutates_grad,
        sgd_step__flattens, sgd_step__returns_old_w, sgd_step__mean_gradient,
        sgd_step__delegates_top_level, sgd_step__delegates_inside, sgd_step__delegates_to_momentum,
        sgd_step__delegates_to_class, sgd_step__float32_via_astype, sgd_step__rounds_result,
        sgd_step__at_least_1d,
    ]
] + [
    ("mse_gradient", f) for f in [
        mse_gradient__no_factor_2, mse_gradient__no_mean, mse_gradient__wrong_sign,
        mse_gradient__divides_by_D, mse_gradient__divides_by_size, mse_gradient__no_transpose,
        mse_gradient__wrong_axis, mse_gradient__ignores_y, mse_gradient__plus_y,
        mse_gradient__product_of_means, mse_gradient__returns_loss, mse_gradient__squared_residual,
        mse_gradient__y_column, mse_gradient__unbiased_n_minus_1, mse_gradient__hardcoded_N,
        mse_gradient__mutates_y, mse_gradient__mutates_X, mse_gradient__float16,
        mse_gradient__delegates_top_level, mse_gradient__delegates_inside,
    ]
] + [
    ("max_stable_lr", f) for f in [
        max_stable_lr__one_over, max_stable_lr__lambda_min, max_stable_lr__max_diagonal,
        max_stable_lr__trace, max_stable_lr__frobenius, max_stable_lr__assumes_descending,
        max_stable_lr__unsorted_eig_first, max_stable_lr__optimal_lr, max_stable_lr__max_entry,
        max_stable_lr__array_result, max_stable_lr__gershgorin, max_stable_lr__sqrt,
        max_stable_lr__safety_margin, max_stable_lr__determinant, max_stable_lr__squared,
        max_stable_lr__mean_eigenvalue, max_stable_lr__mutates_H, max_stable_lr__delegates_top_level,
        max_stable_lr__delegates_inside, max_stable_lr__row_sum_without_abs,
        max_stable_lr__last_diagonal_entry, max_stable_lr__few_power_iterations,
    ]
]

RIGHT = [
    ("sgd_step", f) for f in [
        sgd_step__negative_lr_added, sgd_step__numpy_ufuncs, sgd_step__copy_then_in_place,
        sgd_step__float32_preserving, sgd_step__loop, sgd_step__grad_times_lr,
        sgd_step__asarray_first,
    ]
] + [
    ("mse_gradient", f) for f in [
        mse_gradient__normal_equations, mse_gradient__loop, mse_gradient__einsum,
        mse_gradient__mean_of_rows, mse_gradient__dot_residual_first,
        mse_gradient__float32_preserving,
    ]
] + [
    ("max_stable_lr", f) for f in [
        max_stable_lr__eigvalsh_max, max_stable_lr__spectral_norm, max_stable_lr__svd,
        max_stable_lr__eig_real, max_stable_lr__power_iteration, max_stable_lr__float32_preserving,
        max_stable_lr__eigvals_plain,
        max_stable_lr__eigh_numpy_scalar, max_stable_lr__sorted_eigvals,
    ]
]


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
