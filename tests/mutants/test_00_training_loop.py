"""Mutant tests of chapter 00_training_loop: the graded tests must catch realistic wrong
implementations of softmax_cross_entropy, numerical_gradient and minibatch_indices, and
give full points to correct ones written differently."""
import copy

import numpy as np
import pytest

from nntrain.data import minibatch_indices as _lib_minibatch_indices
from nntrain.gradcheck import numerical_gradient as _lib_numerical_gradient
from nntrain.losses import softmax_cross_entropy as _lib_softmax_cross_entropy
from tests.harness import mutant_tests

CHAPTER = "00_training_loop"


# ===================================================================== softmax_cross_entropy
def _stable_log_probs(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy__no_shift(scores, y):
    e = np.exp(scores)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


def _shifted_by(scores, y, shift):
    e = np.exp(scores - shift)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


def softmax_cross_entropy__global_max_shift(scores, y):
    return _shifted_by(scores, y, np.max(scores))


def softmax_cross_entropy__row_min_shift(scores, y):
    return _shifted_by(scores, y, scores.min(axis=1, keepdims=True))


def softmax_cross_entropy__row_mean_shift(scores, y):
    return _shifted_by(scores, y, scores.mean(axis=1, keepdims=True))


def softmax_cross_entropy__column_max_shift(scores, y):
    return _shifted_by(scores, y, scores.max(axis=0, keepdims=True))


def softmax_cross_entropy__sum_not_mean(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.sum(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__sum_loss_and_grad(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.sum(lp[np.arange(n), y]), d


def softmax_cross_entropy__grad_not_divided(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d


def softmax_cross_entropy__grad_divided_twice(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n / n


def softmax_cross_entropy__grad_divided_by_c(scores, y):
    lp = _stable_log_probs(scores)
    n, c = scores.shape
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / c


def softmax_cross_entropy__mean_over_all_entries(scores, y):
    lp = _stable_log_probs(scores)
    n, c = scores.shape
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.sum(lp[np.arange(n), y]) / (n * c), d / (n * c)


def softmax_cross_entropy__wrong_sign_grad(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    onehot = np.zeros_like(lp)
    onehot[np.arange(n), y] = 1
    return -np.mean(lp[np.arange(n), y]), (onehot - np.exp(lp)) / n


def softmax_cross_entropy__grad_without_onehot(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    return -np.mean(lp[np.arange(n), y]), np.exp(lp) / n


def softmax_cross_entropy__column_indexing(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[:, y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__column_indexing_loss(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[:, y]), d / n


def softmax_cross_entropy__softmax_over_axis0(scores, y):
    shifted = scores - scores.max(axis=0, keepdims=True)
    lp = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__no_minus(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__log2(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]) / np.log(2), d / n


def softmax_cross_entropy__eps_in_log(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y] + 1e-12))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


def softmax_cross_entropy__clipped_probs(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(np.clip(p[np.arange(n), y], 1e-15, 1.0)))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


def softmax_cross_entropy__clipped_scores(scores, y):
    return softmax_cross_entropy__no_shift(np.clip(scores, -500, 500), y)


def softmax_cross_entropy__per_sample_loss(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -lp[np.arange(n), y], d / n


def softmax_cross_entropy__swapped_outputs(scores, y):
    loss, d = softmax_cross_entropy__row_max_then_log_probs(scores, y)
    return d, loss


def softmax_cross_entropy__stable_loss_naive_grad(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    e = np.exp(scores)
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__missing_keepdims(scores, y):
    shifted = scores - scores.max(axis=1)
    lp = shifted - np.log(np.exp(shifted).sum(axis=1))
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__rows_indexed_by_labels(scores, y):
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[y]), d / n


def softmax_cross_entropy__mutates_scores(scores, y):
    scores -= scores.max(axis=1, keepdims=True)
    lp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), d / n


def softmax_cross_entropy__delegates_top_level(scores, y):
    return _lib_softmax_cross_entropy(scores, y)


def softmax_cross_entropy__delegates_inside(scores, y):
    from nntrain import losses
    return losses.softmax_cross_entropy(scores, y)


def softmax_cross_entropy__delegates_via_evaluate(scores, y):
    from nntrain.train import _loss_and_accuracy
    loss, _ = _loss_and_accuracy(scores, y)
    lp = _stable_log_probs(scores)
    n = len(y)
    d = np.exp(lp)
    d[np.arange(n), y] -= 1
    return loss, d / n


def softmax_cross_entropy__abs_max_shift(scores, y):
    """shifts each row by its largest |score|: a row around -1000 then underflows to 0/0"""
    return _shifted_by(scores, y, np.abs(scores).max(axis=1, keepdims=True))


def softmax_cross_entropy__divides_by_max_exp(scores, y):
    """'stabilizes' after exponentiating: exp(1000) is already inf"""
    e = np.exp(scores)
    e = e / e.max(axis=1, keepdims=True)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


# --- correct, written differently
def softmax_cross_entropy__row_max_then_log_probs(scores, y):
    """probabilities first, then their log (fine in float64 for moderate spreads)"""
    scores = np.asarray(scores, dtype=float)
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    n = scores.shape[0]
    loss = -np.sum(np.log(probs[np.arange(n), y])) / n
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n


def softmax_cross_entropy__logsumexp_minus_correct(scores, y):
    m = scores.max(axis=1)
    lse = m + np.log(np.sum(np.exp(scores - m[:, None]), axis=1))
    n = len(y)
    correct = np.take_along_axis(scores, np.asarray(y, dtype=np.int64)[:, None], axis=1)[:, 0]
    loss = np.mean(lse - correct)
    onehot = np.eye(scores.shape[1])[y]
    return loss, (np.exp(scores - lse[:, None]) - onehot) / n


def softmax_cross_entropy__float32_preserving(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)       # stays float32 for float32 input
    e = np.exp(shifted)
    z = e.sum(axis=1, keepdims=True)
    n = scores.shape[0]
    rows = np.arange(n)
    loss = np.mean(np.log(z[:, 0]) - shifted[rows, y])
    d = e / z
    d[rows, y] -= 1
    return loss, d / np.asarray(n, dtype=scores.dtype)


def softmax_cross_entropy__loop_over_rows(scores, y):
    n, c = scores.shape
    loss = 0.0
    d = np.zeros((n, c))
    for i in range(n):
        row = scores[i].astype(float)
        m = max(row)
        e = np.exp(row - m)
        total = e.sum()
        loss += (np.log(total) + m - row[y[i]]) / n
        for k in range(c):
            d[i, k] = (e[k] / total - (1.0 if k == y[i] else 0.0)) / n
    return [loss, d]



def softmax_cross_entropy__logaddexp_reduce(scores, y):
    """np.logaddexp.reduce is a stable log-sum-exp; the loss comes back as a 0-d array"""
    lse = np.logaddexp.reduce(scores, axis=1)
    rows = np.arange(scores.shape[0])
    loss = np.asarray(np.mean(lse - scores[rows, y]))
    d = np.exp(scores - lse[:, None])
    d[rows, y] -= 1
    return loss, d / len(y)

WRONG_SCE = [
    softmax_cross_entropy__no_shift, softmax_cross_entropy__global_max_shift,
    softmax_cross_entropy__row_min_shift, softmax_cross_entropy__row_mean_shift,
    softmax_cross_entropy__column_max_shift, softmax_cross_entropy__sum_not_mean,
    softmax_cross_entropy__sum_loss_and_grad, softmax_cross_entropy__grad_not_divided,
    softmax_cross_entropy__grad_divided_twice, softmax_cross_entropy__grad_divided_by_c,
    softmax_cross_entropy__mean_over_all_entries, softmax_cross_entropy__wrong_sign_grad,
    softmax_cross_entropy__grad_without_onehot, softmax_cross_entropy__column_indexing,
    softmax_cross_entropy__column_indexing_loss, softmax_cross_entropy__softmax_over_axis0,
    softmax_cross_entropy__no_minus, softmax_cross_entropy__log2,
    softmax_cross_entropy__eps_in_log, softmax_cross_entropy__clipped_probs,
    softmax_cross_entropy__clipped_scores, softmax_cross_entropy__per_sample_loss,
    softmax_cross_entropy__swapped_outputs, softmax_cross_entropy__stable_loss_naive_grad,
    softmax_cross_entropy__missing_keepdims, softmax_cross_entropy__rows_indexed_by_labels,
    softmax_cross_entropy__mutates_scores, softmax_cross_entropy__delegates_top_level,
    softmax_cross_entropy__delegates_inside, softmax_cross_entropy__delegates_via_evaluate,
    softmax_cross_entropy__abs_max_shift, softmax_cross_entropy__divides_by_max_exp,
]
RIGHT_SCE = [
    softmax_cross_entropy__row_max_then_log_probs, softmax_cross_entropy__logsumexp_minus_correct,
    softmax_cross_entropy__float32_preserving, softmax_cross_entropy__loop_over_rows,
    softmax_cross_entropy__logaddexp_reduce,
]


# ===================================================================== numerical_gradient
def numerical_gradient__forward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad


def numerical_gradient__backward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - h
        grad[i] = (fx - f(x)) / h
        x[i] = old
    return grad


def _centred(f, x, h, denominator):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / denominator
    return grad


def numerical_gradient__divides_by_h(f, x, h=1e-5):
    return _centred(f, x, h, h)


def numerical_gradient__ignores_h(f, x, h=1e-5):
    return _centred(f, x, 1e-5, 2e-5)


def numerical_gradient__default_h_1e4(f, x, h=1e-4):
    return _centred(f, x, h, 2 * h)


def numerical_gradient__default_h_1e6(f, x, h=1e-6):
    return _centred(f, x, h, 2 * h)


def numerical_gradient__relative_step(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        step = h * max(1.0, abs(old))
        x[i] = old + step
        fp = f(x)
        x[i] = old - step
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__copies_x(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def numerical_gradient__perturbs_flat_copy(f, x, h=1e-5):
    flat = x.flatten()
    grad = np.zeros(x.size)
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(flat.reshape(x.shape))
        flat[i] = old - h
        fm = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad.reshape(x.shape)


def numerical_gradient__restores_by_adding_h(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__restores_step_by_step(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= h
        x[i] -= h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__restores_from_minus_point(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = x[i] + h
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__never_restores(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__restores_only_at_the_end(f, x, h=1e-5):
    x0 = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
    x[...] = x0
    return grad


def numerical_gradient__restores_after_each_row(f, x, h=1e-5):
    """restores a whole row of a 2-D x after its last element: f sees two moved elements"""
    backup = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
        if i[-1] == x.shape[-1] - 1:
            x[i[:-1]] = backup[i[:-1]]
    return grad


def numerical_gradient__sets_x_to_h(f, x, h=1e-5):
    """x[i] = h instead of x[i] = old + h"""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = h
        fp = f(x)
        x[i] = -h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__first_axis_only(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient__flat_result(f, x, h=1e-5):
    return _centred(f, x, h, 2 * h).ravel()


def numerical_gradient__fortran_order_result(f, x, h=1e-5):
    g = _centred(f, x, h, 2 * h)
    return g.ravel().reshape(x.shape, order="F")


def numerical_gradient__all_elements_at_once(f, x, h=1e-5):
    x0 = x.copy()
    x += h
    fp = f(x)
    x[...] = x0 - h
    fm = f(x)
    x[...] = x0
    return np.full_like(x, (fp - fm) / (2 * h))


def numerical_gradient__delegates_top_level(f, x, h=1e-5):
    return _lib_numerical_gradient(f, x, h)


def numerical_gradient__delegates_inside(f, x, h=1e-5):
    from nntrain import gradcheck
    return gradcheck.numerical_gradient(f, x, h=h)


def numerical_gradient__delegates_via_array_version(f, x, h=1e-5):
    from nntrain.gradcheck import numerical_gradient_array
    return numerical_gradient_array(lambda z: np.asarray(f(z)), x, np.ones(()), h)


# --- correct, written differently
def numerical_gradient__nditer(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        saved = x[idx]
        x[idx] = saved + h
        fxph = f(x)
        x[idx] = saved - h
        fxmh = f(x)
        x[idx] = saved
        grad[idx] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient__flat_iterator(f, x, h=1e-5):
    grad = np.empty_like(x)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + h
        up = float(f(x))
        x.flat[k] = old - h
        down = float(f(x))
        x.flat[k] = old
        grad.flat[k] = up / (2 * h) - down / (2 * h)
    return grad


def numerical_gradient__flat_view_and_backup(f, x, h=1e-5):
    backup = x.copy()
    view = x.reshape(-1)                   # a view: writing to it changes x
    grad = np.zeros(x.size)
    for k in range(x.size):
        view[k] = backup.reshape(-1)[k] + h
        a = f(x)
        view[k] = backup.reshape(-1)[k] - h
        b = f(x)
        view[k] = backup.reshape(-1)[k]
        grad[k] = (a - b) / (h + h)
    x[...] = backup
    return grad.reshape(x.shape)


def numerical_gradient__calls_f_at_x_first_and_with_copies(f, x, h=1e-5):
    f(x)                                   # e.g. to check that f works at all
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = float(x[i])
        x[i] = old + h
        f_plus = f(x.copy())
        x[i] = old - h
        f_minus = f(x.copy())
        x[i] = old
        grad[i] = 0.5 * (f_plus - f_minus) / h
    return grad



def numerical_gradient__backwards_minus_first_restoring_all(f, x, h=1e-5):
    """elements from last to first, f(x - h e_i) before f(x + h e_i), x restored from a
    backup after every element"""
    backup = x.copy()
    grad = np.zeros(x.shape)
    for i in reversed(list(np.ndindex(x.shape))):
        x[i] = backup[i] - h
        minus = f(x)
        x[i] = backup[i] + h
        plus = f(x)
        x[...] = backup
        grad[i] = (plus - minus) / (2 * h)
    return grad

WRONG_NG = [
    numerical_gradient__forward_difference, numerical_gradient__backward_difference,
    numerical_gradient__divides_by_h, numerical_gradient__ignores_h,
    numerical_gradient__default_h_1e4, numerical_gradient__default_h_1e6,
    numerical_gradient__relative_step, numerical_gradient__copies_x,
    numerical_gradient__perturbs_flat_copy, numerical_gradient__restores_by_adding_h,
    numerical_gradient__restores_step_by_step, numerical_gradient__restores_from_minus_point,
    numerical_gradient__never_restores, numerical_gradient__restores_only_at_the_end,
    numerical_gradient__first_axis_only, numerical_gradient__flat_result,
    numerical_gradient__fortran_order_result, numerical_gradient__all_elements_at_once,
    numerical_gradient__delegates_top_level, numerical_gradient__delegates_inside,
    numerical_gradient__delegates_via_array_version, numerical_gradient__restores_after_each_row,
    numerical_gradient__sets_x_to_h,
]
RIGHT_NG = [
    numerical_gradient__nditer, numerical_gradient__flat_iterator,
    numerical_gradient__flat_view_and_backup, numerical_gradient__calls_f_at_x_first_and_with_copies,
    numerical_gradient__backwards_minus_first_restoring_all,
]


# ===================================================================== minibatch_indices
def _cut(perm, batch_size):
    return [perm[s:s + batch_size] for s in range(0, len(perm), batch_size)]


def minibatch_indices__no_shuffle(n, batch_size, rng):
    return _cut(np.arange(n), batch_size)


def minibatch_indices__with_replacement(n, batch_size, rng):
    return _cut(rng.integers(0, n, size=n), batch_size)


def minibatch_indices__choice_with_replacement(n, batch_size, rng):
    return _cut(rng.choice(n, size=n), batch_size)


def minibatch_indices__drops_last(n, batch_size, rng):
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size)]


def minibatch_indices__array_split_floor(n, batch_size, rng):
    return np.array_split(rng.permutation(n), max(1, n // batch_size))


def minibatch_indices__array_split_ceil(n, batch_size, rng):
    return np.array_split(rng.permutation(n), -(-n // batch_size))


def minibatch_indices__empty_batch_when_divisible(n, batch_size, rng):
    perm = rng.permutation(n)
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size + 1)]


def minibatch_indices__global_generator(n, batch_size, rng):
    return _cut(np.random.permutation(n), batch_size)


def minibatch_indices__fixed_seed(n, batch_size, rng):
    return _cut(np.random.default_rng(0).permutation(n), batch_size)


def minibatch_indices__copied_generator(n, batch_size, rng):
    return _cut(copy.deepcopy(rng).permutation(n), batch_size)


def minibatch_indices__shuffles_batch_order_only(n, batch_size, rng):
    batches = _cut(np.arange(n), batch_size)
    order = rng.permutation(len(batches))
    return [batches[k] for k in order]


def minibatch_indices__shuffles_within_blocks(n, batch_size, rng):
    return [rng.permutation(b) for b in _cut(np.arange(n), batch_size)]


def minibatch_indices__sorted_batches(n, batch_size, rng):
    return [np.sort(b) for b in _cut(rng.permutation(n), batch_size)]


def minibatch_indices__strided(n, batch_size, rng):
    perm = rng.permutation(n)
    k = -(-n // batch_size)
    return [perm[i::k] for i in range(k)]


def minibatch_indices__one_based(n, batch_size, rng):
    return _cut(rng.permutation(n) + 1, batch_size)


def minibatch_indices__pads_last_batch(n, batch_size, rng):
    perm = rng.permutation(n)
    batches = _cut(perm, batch_size)
    missing = batch_size - len(batches[-1])
    if missing:
        batches[-1] = np.concatenate([batches[-1], perm[:missing]])
    return batches


def minibatch_indices__random_rotation(n, batch_size, rng):
    return _cut(np.roll(np.arange(n), rng.integers(n)), batch_size)


def minibatch_indices__float_indices(n, batch_size, rng):
    return _cut(rng.permutation(n).astype(float), batch_size)


def minibatch_indices__one_array(n, batch_size, rng):
    return rng.permutation(n)


def minibatch_indices__batch_size_off_by_one(n, batch_size, rng):
    perm = rng.permutation(n)
    return [perm[s:s + batch_size - 1] for s in range(0, n, batch_size - 1 or 1)]


def minibatch_indices__reversed_permutation_of_sorted(n, batch_size, rng):
    return _cut(np.arange(n)[::-1].copy(), batch_size)


def minibatch_indices__swaps_only_two(n, batch_size, rng):
    perm = np.arange(n)
    i, j = rng.integers(0, n, size=2)
    perm[i], perm[j] = perm[j], perm[i]
    return _cut(perm, batch_size)


def minibatch_indices__delegates_top_level(n, batch_size, rng):
    return _lib_minibatch_indices(n, batch_size, rng)


def minibatch_indices__delegates_inside(n, batch_size, rng):
    from nntrain import data
    return data.minibatch_indices(n, batch_size, rng)


def minibatch_indices__same_order_every_epoch(n, batch_size, rng, _orders={}):
    """draws the permutation once and keeps it: every epoch has the same order"""
    if n not in _orders:
        _orders[n] = rng.permutation(n)
    return _cut(_orders[n], batch_size)


def minibatch_indices__batches_as_lists(n, batch_size, rng):
    return [list(b) for b in _cut(rng.permutation(n), batch_size)]


def minibatch_indices__naive_swap_shuffle(n, batch_size, rng):
    """the classic biased shuffle: swap position i with ANY position (not one in 0..i)"""
    perm = np.arange(n)
    for i in range(n):
        j = int(rng.integers(0, n))
        perm[i], perm[j] = perm[j], perm[i]
    return _cut(perm, batch_size)


def minibatch_indices__shuffles_first_half_only(n, batch_size, rng):
    perm = np.arange(n)
    perm[:n // 2] = rng.permutation(perm[:n // 2])
    return _cut(perm, batch_size)


# --- correct, written differently
def minibatch_indices__choice_and_split(n, batch_size, rng):
    perm = rng.choice(n, size=n, replace=False)
    return np.split(perm, np.arange(batch_size, n, batch_size))


def minibatch_indices__shuffle_in_place(n, batch_size, rng):
    idx = np.arange(n)
    rng.shuffle(idx)
    batches = []
    while len(idx):
        batches.append(idx[:batch_size])
        idx = idx[batch_size:]
    return batches


def minibatch_indices__argsort_of_uniforms(n, batch_size, rng):
    perm = np.argsort(rng.random(n))
    return [perm[i * batch_size:min(n, (i + 1) * batch_size)] for i in range(int(np.ceil(n / batch_size)))]


def minibatch_indices__fisher_yates(n, batch_size, rng):
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng.integers(0, i + 1))
        perm[i], perm[j] = perm[j], perm[i]
    perm = np.array(perm, dtype=np.int32)
    return [perm[s:s + batch_size] for s in range(0, n, batch_size)]


def minibatch_indices__permuted_and_child_generator(n, batch_size, rng):
    child = np.random.default_rng(rng.integers(2 ** 63))
    perm = child.permuted(np.arange(n, dtype=np.int64))
    return list(perm[s:s + batch_size] for s in range(0, n, batch_size))



def minibatch_indices__array_split_at_indices(n, batch_size, rng):
    """np.array_split with split POINTS (not a number of pieces) is right"""
    perm = rng.permutation(np.arange(n, dtype=np.int32))
    return np.array_split(perm, range(batch_size, n, batch_size))

WRONG_MB = [
    minibatch_indices__no_shuffle, minibatch_indices__with_replacement,
    minibatch_indices__choice_with_replacement, minibatch_indices__drops_last,
    minibatch_indices__array_split_floor, minibatch_indices__array_split_ceil,
    minibatch_indices__empty_batch_when_divisible, minibatch_indices__global_generator,
    minibatch_indices__fixed_seed, minibatch_indices__copied_generator,
    minibatch_indices__shuffles_batch_order_only, minibatch_indices__shuffles_within_blocks,
    minibatch_indices__sorted_batches, minibatch_indices__strided, minibatch_indices__one_based,
    minibatch_indices__pads_last_batch, minibatch_indices__random_rotation,
    minibatch_indices__float_indices, minibatch_indices__one_array,
    minibatch_indices__batch_size_off_by_one, minibatch_indices__reversed_permutation_of_sorted,
    minibatch_indices__swaps_only_two, minibatch_indices__delegates_top_level,
    minibatch_indices__delegates_inside, minibatch_indices__same_order_every_epoch,
    minibatch_indices__batches_as_lists, minibatch_indices__naive_swap_shuffle,
    minibatch_indices__shuffles_first_half_only,
]
RIGHT_MB = [
    minibatch_indices__choice_and_split, minibatch_indices__shuffle_in_place,
    minibatch_indices__argsort_of_uniforms, minibatch_indices__fisher_yates,
    minibatch_indices__permuted_and_child_generator, minibatch_indices__array_split_at_indices,
]

WRONG = ([("softmax_cross_entropy", f) for f in WRONG_SCE]
         + [("numerical_gradient", f) for f in WRONG_NG]
         + [("minibatch_indices", f) for f in WRONG_MB])
RIGHT = ([("softmax_cross_entropy", f) for f in RIGHT_SCE]
         + [("numerical_gradient", f) for f in RIGHT_NG]
         + [("minibatch_indices", f) for f in RIGHT_MB])


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
