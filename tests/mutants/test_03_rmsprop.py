"""Mutant tests of chapter 03_rmsprop: the graded test cells must catch realistic wrong
implementations of rmsprop_step and adagrad_step and accept differently written correct ones."""
import math

import numpy as np
import pytest

from nntrain.optim import adagrad_step as _library_adagrad_step
from nntrain.optim import rmsprop_step as _library_rmsprop_step
from tests.harness import mutant_tests

CHAPTER = "03_rmsprop"


# ------------------------------------------------------------------ rmsprop_step: wrong

def rmsprop_step__old_state_in_denominator(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s_next


def rmsprop_step__eps_inside_sqrt(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / np.sqrt(s_next + eps), s_next


def rmsprop_step__eps_squared_inside_sqrt(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / np.sqrt(s_next + eps ** 2), s_next


def rmsprop_step__eps_as_floor(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / np.maximum(np.sqrt(s_next), eps), s_next


def rmsprop_step__no_eps(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / np.sqrt(s_next), s_next


def rmsprop_step__eps_precedence(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - (lr * grad / np.sqrt(s_next) + eps), s_next


def rmsprop_step__eps_ignored(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + 1e-8), s_next


def rmsprop_step__keras_default_eps(w, grad, s, lr=1e-2, rho=0.99, eps=1e-7):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__missing_one_minus_rho(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__rho_swapped(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = (1 - rho) * s + rho * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__no_sqrt(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (s_next + eps), s_next


def rmsprop_step__grad_not_squared(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__abs_grad(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * np.abs(grad)
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__mean_square_over_all(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * np.mean(grad ** 2)       # one scale for every coordinate
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__wrong_sign(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w + lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__returns_old_state(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s


def rmsprop_step__swapped_outputs(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return s_next, w - lr * grad / (np.sqrt(s_next) + eps)


def rmsprop_step__returns_only_w(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps)


def rmsprop_step__ignores_state(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__bias_corrected_first_step(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next / (1 - rho)) + eps), s_next


def rmsprop_step__default_rho_09(w, grad, s, lr=1e-2, rho=0.9, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__default_lr_1e3(w, grad, s, lr=1e-3, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__lr_ignored(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - 1e-2 * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__rho_ignored(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = 0.99 * s + 0.01 * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__hyperparameters_reordered(w, grad, s, rho=0.99, lr=1e-2, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__in_place_w(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    w -= lr * grad / (np.sqrt(s_next) + eps)
    return w, s_next


def rmsprop_step__in_place_s(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s *= rho
    s += (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s


def rmsprop_step__squares_grad_in_place(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    g = grad.copy()
    grad **= 2
    s_next = rho * s + (1 - rho) * grad
    return w - lr * g / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__squares_one_minus_rho_too(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + ((1 - rho) * grad) ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__multiplies_by_rms(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad * (np.sqrt(s_next) + eps), s_next


def rmsprop_step__debiases_when_state_is_zero(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    if not np.any(s):
        s_next = s_next / (1 - rho)          # "first step": remove the bias towards 0
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__state_floored_at_eps(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = np.maximum(rho * s + (1 - rho) * grad ** 2, eps)
    return w - lr * grad / np.sqrt(s_next), s_next


_GLOBAL = {}


def rmsprop_step__global_state(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    prev = _GLOBAL.get("s")
    if prev is None or np.shape(prev) != np.shape(grad):
        prev = s                               # its own memory wins after the first call
    s_next = rho * prev + (1 - rho) * grad ** 2
    _GLOBAL["s"] = s_next
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__state_in_default_argument(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8, _memory={}):
    prev = _memory.get(np.shape(grad), s)      # a mutable default: state that survives the call
    s_next = rho * prev + (1 - rho) * grad ** 2
    _memory[np.shape(grad)] = s_next
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__torch_parameter_name(w, grad, s, lr=1e-2, alpha=0.99, eps=1e-8):
    s_next = alpha * s + (1 - alpha) * grad ** 2          # PyTorch calls rho "alpha"
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__tiny_default_eps(w, grad, s, lr=1e-2, rho=0.99, eps=1e-10):
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def rmsprop_step__delegates_top_level(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    return _library_rmsprop_step(w, grad, s, lr=lr, rho=rho, eps=eps)


def rmsprop_step__delegates_inside(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    from nntrain import optim
    return optim.rmsprop_step(w, grad, s, lr, rho, eps)


def rmsprop_step__delegates_via_class(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    from nntrain.optim import RMSProp
    opt = RMSProp(lr=lr, rho=rho, eps=eps)
    params = {"w": np.array(w, dtype=float)}
    opt.state["w"] = {"s": np.array(s, dtype=float)}
    opt.step(params, {"w": grad})
    return params["w"], opt.state["w"]["s"]


def rmsprop_step__delegates_via_adam(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    from nntrain.optim import adam_step
    w_next, _, s_next = adam_step(w, grad, np.zeros_like(w), s, 1, lr=lr, beta1=0.0, beta2=rho,
                                  eps=eps, bias_correction=False)
    return w_next, s_next


def rmsprop_step__delegates_ema(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    from nntrain.ema import ema_update
    s_next = ema_update(s, grad ** 2, rho)
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


# ------------------------------------------------------------------ rmsprop_step: right

def rmsprop_step__ema_form(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = s + (1.0 - rho) * (grad * grad - s)
    return w - (lr / (np.sqrt(s_next) + eps)) * grad, s_next


def rmsprop_step__copies_then_in_place(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = np.array(s, dtype=float, copy=True)
    s_next *= rho
    s_next += (1 - rho) * np.square(grad)
    denom = np.sqrt(s_next)
    denom += eps
    w_next = np.array(w, dtype=float, copy=True)
    w_next -= lr * np.divide(grad, denom)
    return [w_next, s_next]                       # a list is fine too


def rmsprop_step__float32_preserving(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    dtype = np.result_type(w, grad, s)
    lr, rho, eps = dtype.type(lr), dtype.type(rho), dtype.type(eps)
    w, grad, s = (np.asarray(a, dtype=dtype) for a in (w, grad, s))
    s_next = rho * s + (dtype.type(1) - rho) * np.power(grad, 2)
    rms = np.sqrt(s_next)
    return w - lr * grad / (rms + eps), s_next


def rmsprop_step__python_loop(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    w_next = np.empty(np.shape(w))
    s_next = np.empty(np.shape(w))
    for idx in np.ndindex(*np.shape(w)):
        sv = rho * float(s[idx]) + (1 - rho) * float(grad[idx]) ** 2
        s_next[idx] = sv
        w_next[idx] = float(w[idx]) - lr * float(grad[idx]) / (math.sqrt(sv) + eps)
    return w_next, s_next


def rmsprop_step__extra_kwargs(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8, **unused):
    grad = np.asarray(grad, dtype=np.float64)
    s_next = np.multiply(rho, s) + np.multiply(1 - rho, grad * grad)
    step = lr * grad
    step /= np.sqrt(s_next) + eps
    return np.subtract(w, step), s_next


def rmsprop_step__reciprocal_then_multiply(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    s_next = rho * s + (1 - rho) * grad ** 2
    scale = 1.0 / (np.sqrt(s_next) + eps)                 # the per-coordinate learning rate / lr
    return w - lr * scale * grad, s_next


# ------------------------------------------------------------------ adagrad_step: wrong

def adagrad_step__old_state_in_denominator(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s_next


def adagrad_step__eps_inside_sqrt(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / np.sqrt(s_next + eps), s_next


def adagrad_step__no_eps(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / np.sqrt(s_next), s_next


def adagrad_step__eps_precedence(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / np.sqrt(s_next) + eps, s_next


def adagrad_step__torch_default_eps(w, grad, s, lr=1e-2, eps=1e-10):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__eps_ignored(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + 1e-8), s_next


def adagrad_step__no_sqrt(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (s_next + eps), s_next


def adagrad_step__grad_not_squared(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__abs_grad(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + np.abs(grad)
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__no_accumulation(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__decaying_like_rmsprop(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = 0.99 * s + 0.01 * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__averaged(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = (s + grad ** 2) / 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__wrong_sign(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w + lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__returns_old_state(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s


def adagrad_step__swapped_outputs(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return s_next, w - lr * grad / (np.sqrt(s_next) + eps)


def adagrad_step__default_lr_01(w, grad, s, lr=0.1, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__lr_ignored(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - 1e-2 * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__hyperparameters_reordered(w, grad, s, eps=1e-8, lr=1e-2):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__in_place_s(w, grad, s, lr=1e-2, eps=1e-8):
    s += grad ** 2
    return w - lr * grad / (np.sqrt(s) + eps), s


def adagrad_step__in_place_w(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    w -= lr * grad / (np.sqrt(s_next) + eps)
    return w, s_next


def adagrad_step__adds_roots(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s) + np.abs(grad) + eps), s_next


def adagrad_step__state_floored_at_eps(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = np.maximum(s + grad ** 2, eps)
    return w - lr * grad / np.sqrt(s_next), s_next


_GLOBAL_ADA = {}


def adagrad_step__global_state(w, grad, s, lr=1e-2, eps=1e-8):
    prev = _GLOBAL_ADA.get("s")
    if prev is None or np.shape(prev) != np.shape(grad):
        prev = s
    s_next = prev + grad ** 2
    _GLOBAL_ADA["s"] = s_next
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__keras_default_eps(w, grad, s, lr=1e-2, eps=1e-7):
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__state_in_default_argument(w, grad, s, lr=1e-2, eps=1e-8, _memory={}):
    prev = _memory.get(np.shape(grad), s)
    s_next = prev + grad ** 2
    _memory[np.shape(grad)] = s_next
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


def adagrad_step__delegates_top_level(w, grad, s, lr=1e-2, eps=1e-8):
    return _library_adagrad_step(w, grad, s, lr=lr, eps=eps)


def adagrad_step__delegates_inside(w, grad, s, lr=1e-2, eps=1e-8):
    from nntrain.optim import adagrad_step
    return adagrad_step(w, grad, s, lr, eps)


def adagrad_step__delegates_via_class(w, grad, s, lr=1e-2, eps=1e-8):
    from nntrain.optim import AdaGrad
    opt = AdaGrad(lr=lr, eps=eps)
    params = {"w": np.array(w, dtype=float)}
    opt.state["w"] = {"s": np.array(s, dtype=float)}
    opt.step(params, {"w": grad})
    return params["w"], opt.state["w"]["s"]


# ------------------------------------------------------------------ adagrad_step: right

def adagrad_step__numpy_ufuncs(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = np.add(s, np.square(grad))
    return np.subtract(w, np.divide(np.multiply(lr, grad), np.add(np.sqrt(s_next), eps))), s_next


def adagrad_step__copies_then_in_place(w, grad, s, lr=1e-2, eps=1e-8):
    s_next = np.array(s, dtype=float, copy=True)
    s_next += grad * grad
    w_next = np.array(w, dtype=float, copy=True)
    w_next -= (lr / (np.sqrt(s_next) + eps)) * grad
    return [w_next, s_next]


def adagrad_step__python_loop(w, grad, s, lr=1e-2, eps=1e-8):
    w_next = np.empty(np.shape(w))
    s_next = np.empty(np.shape(w))
    for idx in np.ndindex(*np.shape(w)):
        sv = float(s[idx]) + float(grad[idx]) ** 2
        s_next[idx] = sv
        w_next[idx] = float(w[idx]) - lr * float(grad[idx]) / (math.sqrt(sv) + eps)
    return w_next, s_next


def adagrad_step__float32_preserving(w, grad, s, lr=1e-2, eps=1e-8):
    dtype = np.result_type(w, grad, s)
    w, grad, s = (np.asarray(a, dtype=dtype) for a in (w, grad, s))
    s_next = s + grad ** 2
    return w - dtype.type(lr) * grad / (np.sqrt(s_next) + dtype.type(eps)), s_next


def adagrad_step__asarray_float(w, grad, s, lr=1e-2, eps=1e-8):
    w, grad, s = (np.asarray(a, dtype=np.float64) for a in (w, grad, s))
    s_next = s + np.square(grad)
    return w - lr * grad * np.reciprocal(np.sqrt(s_next) + eps), s_next


WRONG = [(f.__name__.split("__")[0], f) for f in [
    rmsprop_step__old_state_in_denominator, rmsprop_step__eps_inside_sqrt,
    rmsprop_step__eps_squared_inside_sqrt, rmsprop_step__eps_as_floor, rmsprop_step__no_eps,
    rmsprop_step__eps_precedence, rmsprop_step__eps_ignored, rmsprop_step__keras_default_eps,
    rmsprop_step__missing_one_minus_rho, rmsprop_step__rho_swapped, rmsprop_step__no_sqrt,
    rmsprop_step__grad_not_squared, rmsprop_step__abs_grad, rmsprop_step__mean_square_over_all,
    rmsprop_step__wrong_sign, rmsprop_step__returns_old_state, rmsprop_step__swapped_outputs,
    rmsprop_step__returns_only_w, rmsprop_step__ignores_state, rmsprop_step__bias_corrected_first_step,
    rmsprop_step__default_rho_09, rmsprop_step__default_lr_1e3, rmsprop_step__lr_ignored,
    rmsprop_step__rho_ignored, rmsprop_step__hyperparameters_reordered, rmsprop_step__in_place_w,
    rmsprop_step__in_place_s, rmsprop_step__squares_grad_in_place, rmsprop_step__global_state,
    rmsprop_step__squares_one_minus_rho_too, rmsprop_step__multiplies_by_rms,
    rmsprop_step__debiases_when_state_is_zero, rmsprop_step__state_floored_at_eps,
    rmsprop_step__delegates_top_level, rmsprop_step__delegates_inside,
    rmsprop_step__delegates_via_class, rmsprop_step__delegates_via_adam, rmsprop_step__delegates_ema,
    adagrad_step__old_state_in_denominator, adagrad_step__eps_inside_sqrt, adagrad_step__no_eps,
    adagrad_step__eps_precedence, adagrad_step__torch_default_eps, adagrad_step__eps_ignored,
    adagrad_step__no_sqrt, adagrad_step__grad_not_squared, adagrad_step__abs_grad,
    adagrad_step__no_accumulation, adagrad_step__decaying_like_rmsprop, adagrad_step__averaged,
    adagrad_step__wrong_sign, adagrad_step__returns_old_state, adagrad_step__swapped_outputs,
    adagrad_step__default_lr_01, adagrad_step__lr_ignored, adagrad_step__hyperparameters_reordered,
    adagrad_step__in_place_s, adagrad_step__in_place_w, adagrad_step__global_state,
    adagrad_step__adds_roots, adagrad_step__state_floored_at_eps,
    adagrad_step__delegates_top_level, adagrad_step__delegates_inside, adagrad_step__delegates_via_class,
    rmsprop_step__state_in_default_argument, rmsprop_step__torch_parameter_name,
    rmsprop_step__tiny_default_eps, adagrad_step__keras_default_eps,
    adagrad_step__state_in_default_argument,
]]

RIGHT = [(f.__name__.split("__")[0], f) for f in [
    rmsprop_step__ema_form, rmsprop_step__copies_then_in_place, rmsprop_step__float32_preserving,
    rmsprop_step__python_loop, rmsprop_step__extra_kwargs,
    adagrad_step__numpy_ufuncs, adagrad_step__copies_then_in_place, adagrad_step__python_loop,
    adagrad_step__float32_preserving, rmsprop_step__reciprocal_then_multiply, adagrad_step__asarray_float,
]]


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
