"""Mutant tests of chapter 09_normalization: the graded tests must catch realistic wrong
implementations of the normalization layers and accept every correct one.

Caches are opaque, so a backward pass is always tested together with a forward pass that
produces the cache it reads, and a forward pass together with a backward pass that reads its
cache: an entry is either one function (the notebook's solution of the other one of the pair
stays) or a pair (forward, backward) that replaces both (None keeps the solution's).  A wrong
forward pass returns the cache the solution's backward pass reads, as a student's forward pass
returns what their own backward pass reads.

The backward tests judge a backward pass against the student's OWN forward pass (numerical
gradients of it).  A forward mistake that leaves the train-mode function unchanged (running
statistics, test mode, momentum, eps placement at the order of eps) then costs nothing in the
backward test.  A forward mistake that changes the function so that the correct backward formula
is no longer its gradient (unbiased variance, other axes, ...) makes the backward test fail with a
message that names the forward pass first: those mistakes are listed in SPILL, with the reason.
"""
import copy

import numpy as np
import pytest

from nntrain.layers import batchnorm_backward as _lib_batchnorm_backward
from nntrain.layers import batchnorm_forward as _lib_batchnorm_forward
from nntrain.layers import instancenorm_forward as _lib_instancenorm_forward
from nntrain.layers import layernorm_backward as _lib_layernorm_backward
from nntrain.layers import layernorm_forward as _lib_layernorm_forward
from nntrain.layers import spatial_batchnorm_backward as _lib_spatial_batchnorm_backward
from nntrain.layers import spatial_batchnorm_forward as _lib_spatial_batchnorm_forward
from tests.harness import mutant_tests, visible_tests

CHAPTER = "09_normalization"
_GLOBAL = {}


# ============================================================================ shared helpers
# A correct normalization written once, with switches for the mistakes.  The mutants below
# are thin wrappers, each one realistic mistake.

def _normalize(x, gamma, beta, axes, channel_axis, eps, ddof=0, eps_outside=False, mean=None, var=None):
    x = np.asarray(x, dtype=float)
    if mean is None:
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True, ddof=ddof)
    sigma = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    x_hat = (x - mean) / sigma
    shape = [1] * x.ndim
    shape[channel_axis] = -1
    out = np.reshape(gamma, shape) * x_hat + np.reshape(beta, shape)
    return out, x_hat, mean, var, sigma


def _bn(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5, *, axes=(0,), ddof=0,
        eps_outside=False, swap=False, running_ddof=None, copy_test=True):
    """batchnorm_forward with switches; returns (out, cache, running_next)."""
    x = np.asarray(x, dtype=float)
    if train:
        out, x_hat, mean, var, sigma = _normalize(x, gamma, beta, axes, 1, eps, ddof, eps_outside)
        mu_b, var_b = mean.reshape(-1), var.reshape(-1)
        if running_ddof is not None:
            var_b = x.var(axis=0, ddof=running_ddof)
        keep, new = (1 - momentum, momentum) if swap else (momentum, 1 - momentum)
        running_next = {"mean": keep * running["mean"] + new * mu_b, "var": keep * running["var"] + new * var_b}
    else:
        out, x_hat, mean, var, sigma = _normalize(x, gamma, beta, axes, 1, eps, ddof, eps_outside,
                                                  mean=running["mean"], var=running["var"])
        running_next = ({"mean": running["mean"].copy(), "var": running["var"].copy()} if copy_test
                        else dict(running))
    return out, {"x_hat": x_hat, "sigma": sigma, "gamma": gamma, "x": x, "mean": mean, "var": var,
                 "eps": eps}, running_next


def _spatial(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5, **switches):
    """spatial_batchnorm_forward through the pixels-as-rows view, with _bn's switches."""
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    out, cache, running_next = _bn(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta, running, train,
                                   momentum, eps, **switches)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), (cache, x.shape), running_next


def _own_cache(x, gamma, eps, axes=(0,)):
    """The cache the notebook's solution hands to its backward pass (train mode)."""
    x = np.asarray(x, dtype=float)
    sigma = np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return {"x_hat": (x - x.mean(axis=axes, keepdims=True)) / sigma, "sigma": sigma, "gamma": gamma}


def _compact_dx(dout, x_hat, sigma, gamma_b, axes):
    g = gamma_b * dout
    return (g - g.mean(axis=axes, keepdims=True)
            - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) / sigma


# ============================================================================ batchnorm_forward: wrong

def batchnorm_forward__unbiased_variance(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps, ddof=1)


def batchnorm_forward__eps_outside_sqrt(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps, eps_outside=True)


def batchnorm_forward__no_eps(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, 0.0)


def batchnorm_forward__ignores_eps(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, 1e-5)


def batchnorm_forward__stats_per_sample(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    running_next = {"mean": momentum * running["mean"] + (1 - momentum) * x.mean(axis=0),
                    "var": momentum * running["var"] + (1 - momentum) * x.var(axis=0)}
    return out, {"x_hat": (x - mu) / np.sqrt(var + eps), "sigma": np.sqrt(var + eps), "gamma": gamma}, running_next


def batchnorm_forward__momentum_swapped(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps, swap=True)


def batchnorm_forward__ignores_momentum(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, 0.9, eps)


def batchnorm_forward__running_var_unbiased(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    # PyTorch's convention, not this book's
    return _bn(x, gamma, beta, running, train, momentum, eps, running_ddof=1)


def batchnorm_forward__running_var_is_std(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    if train:
        running_next["var"] = momentum * running["var"] + (1 - momentum) * np.asarray(x).std(axis=0)
    return out, cache, running_next


def batchnorm_forward__running_var_with_eps(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    if train:
        running_next["var"] = running_next["var"] + (1 - momentum) * eps
    return out, cache, running_next


def batchnorm_forward__test_mode_uses_batch_stats(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, _ = _bn(x, gamma, beta, running, True, momentum, eps)
    if train:
        return _bn(x, gamma, beta, running, True, momentum, eps)
    return out, cache, {"mean": running["mean"].copy(), "var": running["var"].copy()}


def batchnorm_forward__test_mode_updates_running(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, _ = _bn(x, gamma, beta, running, train, momentum, eps)
    _, _, running_next = _bn(x, gamma, beta, running, True, momentum, eps)
    return out, cache, running_next


def batchnorm_forward__test_mode_same_dict(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    return out, cache, running_next if train else running


def batchnorm_forward__test_mode_shallow_copy(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps, copy_test=False)


def batchnorm_forward__test_mode_no_eps(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps if train else 0.0)


def batchnorm_forward__always_train(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, True, momentum, eps)


def batchnorm_forward__train_flag_inverted(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, not train, momentum, eps)


def batchnorm_forward__normalizes_with_updated_running(x, gamma, beta, running, train=True, momentum=0.9,
                                                         eps=1e-5):
    _, _, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    out, cache, _ = _bn(x, gamma, beta, running_next, False, momentum, eps)
    return out, cache, running_next


def batchnorm_forward__mutates_running(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    running["mean"], running["var"] = running_next["mean"], running_next["var"]
    return out, cache, running


def batchnorm_forward__updates_running_in_place(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    if train:
        running["mean"] *= momentum
        running["mean"] += (1 - momentum) * np.asarray(x).mean(axis=0)
        running["var"] *= momentum
        running["var"] += (1 - momentum) * np.asarray(x).var(axis=0)
        return out, cache, running
    return out, cache, running_next


def batchnorm_forward__gamma_beta_swapped(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, beta, gamma, running, train, momentum, eps)


def batchnorm_forward__uncentred_variance(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if not train:
        return _bn(x, gamma, beta, running, train, momentum, eps)
    mu, var = x.mean(axis=0), (x ** 2).mean(axis=0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    cache = {"x_hat": (x - mu) / np.sqrt(var + eps), "sigma": np.sqrt(var + eps), "gamma": gamma}
    return out, cache, {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                        "var": momentum * running["var"] + (1 - momentum) * var}


def batchnorm_forward__divides_by_variance(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if not train:
        return _bn(x, gamma, beta, running, train, momentum, eps)
    mu, var = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mu) / (var + eps) + beta
    cache = {"x_hat": (x - mu) / (var + eps), "sigma": var + eps, "gamma": gamma}
    return out, cache, {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                        "var": momentum * running["var"] + (1 - momentum) * var}


def batchnorm_forward__mutates_x(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    mu = x.mean(axis=0) if train else running["mean"]
    var = x.var(axis=0) if train else running["var"]
    x -= mu
    x /= np.sqrt(var + eps)
    out = gamma * x + beta
    cache = {"x_hat": x, "sigma": np.sqrt(var + eps), "gamma": gamma}
    if train:
        running_next = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                        "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        running_next = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    return out, cache, running_next


def batchnorm_forward__keeps_its_own_running(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    own = _GLOBAL.setdefault("running", {k: np.array(v, dtype=float) for k, v in running.items()})
    out, cache, running_next = _bn(x, gamma, beta, own, train, momentum, eps)
    _GLOBAL["running"] = running_next
    return out, cache, running_next


# The delegating forward passes build the cache their (the solution's) backward pass reads.

def batchnorm_forward__delegates_top_level(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, _, running_next = _lib_batchnorm_forward(x, gamma, beta, running, train, momentum, eps)
    return out, _own_cache(x, gamma, eps), running_next


def batchnorm_forward__delegates_inside(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    from nntrain import layers
    out, _, running_next = layers.batchnorm_forward(x, gamma, beta, running, train=train, momentum=momentum, eps=eps)
    return out, _own_cache(x, gamma, eps), running_next


def batchnorm_forward__delegates_to_spatial(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    from nntrain.layers import spatial_batchnorm_forward as lib
    out, _, running_next = lib(np.asarray(x)[:, :, None, None], gamma, beta, running, train, momentum, eps)
    return out[:, :, 0, 0], _own_cache(x, gamma, eps), running_next


# ============================================================================ batchnorm_forward: right

def batchnorm_forward__moments(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    if train:
        mu = np.sum(x, axis=0) / x.shape[0]
        var = np.sum(x * x, axis=0) / x.shape[0] - mu * mu          # E[x^2] - E[x]^2
        new = {k: momentum * running[k] + (1.0 - momentum) * s for k, s in (("mean", mu), ("var", var))}
    else:
        mu, var = running["mean"], running["var"]
        new = copy.deepcopy(running)
    inv = (var + eps) ** -0.5
    return [gamma * ((x - mu) * inv) + beta, (x, mu, inv, gamma), new]


def batchnorm_forward__feature_loop(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.array(x, dtype=float)
    N, D = x.shape
    out = np.empty_like(x)
    mean_next, var_next = np.empty(D), np.empty(D)
    for j in range(D):
        col = x[:, j]
        if train:
            m = sum(col) / N
            v = sum((c - m) ** 2 for c in col) / N
            mean_next[j] = momentum * running["mean"][j] + (1 - momentum) * m
            var_next[j] = momentum * running["var"][j] + (1 - momentum) * v
        else:
            m, v = running["mean"][j], running["var"][j]
            mean_next[j], var_next[j] = m, v
        out[:, j] = gamma[j] * (col - m) / np.sqrt(v + eps) + beta[j]
    return out, {"x": x, "gamma": gamma, "eps": eps}, {"mean": mean_next, "var": var_next}


def batchnorm_forward__float32_preserving(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x)
    if train:
        mu = x.mean(axis=0)
        var = ((x - mu) ** 2).mean(axis=0)
        running_next = {"mean": running["mean"] + (1 - momentum) * (mu - running["mean"]),
                        "var": running["var"] + (1 - momentum) * (var - running["var"])}
    else:
        mu, var = running["mean"], running["var"]
        running_next = {key: np.copy(value) for key, value in running.items()}
    x_hat = np.divide(x - mu, np.sqrt(var + np.asarray(eps, dtype=x.dtype)))
    return np.add(np.multiply(gamma, x_hat), beta), (x_hat, var, eps, gamma), running_next


def batchnorm_forward__keepdims(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if train:
        mu = x.mean(axis=0, keepdims=True)
        var = x.var(axis=0, keepdims=True)
        running_next = {"mean": momentum * running["mean"] + (1 - momentum) * mu[0],
                        "var": momentum * running["var"] + (1 - momentum) * var[0]}
    else:
        mu, var = running["mean"][None, :], running["var"][None, :]
        running_next = dict(mean=np.array(running["mean"]), var=np.array(running["var"]))
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma[None, :] * x_hat + beta[None, :], {"std": std, "x_hat": x_hat, "gamma": gamma[None, :]}, running_next


# Each right forward pass comes with the backward pass that reads its cache (the pair is tested).

def batchnorm_backward__for_moments(dout, cache):
    x, mu, inv, gamma = cache
    x_hat = (x - mu) * inv
    g = gamma * dout
    dx = inv * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def batchnorm_backward__for_float32(dout, cache):
    x_hat, var, eps, gamma = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0)) / np.sqrt(var + eps)
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def batchnorm_backward__for_keepdims(dout, cache):
    x_hat, std, gamma = cache["x_hat"], cache["std"], cache["gamma"]
    g = gamma * dout
    dx = (g - g.mean(axis=0, keepdims=True) - x_hat * (g * x_hat).mean(axis=0, keepdims=True)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


# ============================================================================ batchnorm_backward
# Forward passes that produce the caches the backward passes below read.

def _bn_forward_cached(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _bn(x, gamma, beta, running, train, momentum, eps)


def _bn_forward_global(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _bn(x, gamma, beta, running, train, momentum, eps)
    _GLOBAL["bn_cache"] = cache
    return out, None, running_next


def _bn_grads(dout, c):
    return c["x_hat"], c["sigma"], c["gamma"], dout.sum(axis=0), (dout * c["x_hat"]).sum(axis=0)


def batchnorm_backward__constant_statistics(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return gamma * dout / sigma, dgamma, dbeta


def batchnorm_backward__no_variance_path(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    g = gamma * dout
    return (g - g.mean(axis=0)) / sigma, dgamma, dbeta


def batchnorm_backward__no_mean_path(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    g = gamma * dout
    return (g - x_hat * (g * x_hat).mean(axis=0)) / sigma, dgamma, dbeta


def batchnorm_backward__forgets_gamma(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, 1.0, 0), dgamma, dbeta


def batchnorm_backward__dgamma_with_x(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, 0), (dout * c["x"]).sum(axis=0), dbeta


def batchnorm_backward__dgamma_times_gamma(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, 0), gamma * dgamma, dbeta


def batchnorm_backward__dbeta_mean(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, 0), dgamma, dout.mean(axis=0)


def batchnorm_backward__dgamma_over_features(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, 0), (dout * x_hat).sum(axis=1), dout.sum(axis=1)


def batchnorm_backward__n_minus_1(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    N = dout.shape[0]
    g = gamma * dout
    dx = (g - g.sum(axis=0) / N - x_hat * (g * x_hat).sum(axis=0) / (N - 1)) / sigma
    return dx, dgamma, dbeta


def batchnorm_backward__sums_instead_of_means(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    g = gamma * dout
    return (g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0)) / sigma, dgamma, dbeta


def batchnorm_backward__sigma_without_eps(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    x = c["x"]
    sigma0 = np.sqrt(x.var(axis=0))
    x_hat0 = (x - x.mean(axis=0)) / sigma0
    return _compact_dx(dout, x_hat0, sigma0, gamma, 0), dgamma, dbeta


def batchnorm_backward__wrong_sign(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    g = gamma * dout
    return (g - g.mean(axis=0) + x_hat * (g * x_hat).mean(axis=0)) / sigma, dgamma, dbeta


def batchnorm_backward__times_sigma(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    g = gamma * dout
    return (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) * sigma, dgamma, dbeta


def batchnorm_backward__staged_missing_half(dout, c):
    # the staged graph with d sigma^2 missing the factor -1/2 of d/dv (v + eps)^(-1/2)
    x, gamma, eps = c["x"], c["gamma"], c["eps"]
    N = x.shape[0]
    mu = x.mean(axis=0)
    d = x - mu
    v = (d ** 2).mean(axis=0)
    inv = 1.0 / np.sqrt(v + eps)
    x_hat = d * inv
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dv = np.sum(dx_hat * d, axis=0) * inv ** 3                      # should be -0.5 * ...
    dd = dx_hat * inv + dv * 2 * d / N
    dmu = -dd.sum(axis=0)
    return dd + dmu / N, dgamma, dbeta


def batchnorm_backward__mutates_dout(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    dbeta, dgamma = dbeta.copy(), dgamma.copy()
    dout *= gamma
    dout -= dout.mean(axis=0)
    g = gamma * 0 + dout
    return (g - x_hat * (g * x_hat).mean(axis=0)) / sigma, dgamma, dbeta


def batchnorm_backward__default_eps(dout, c):
    # recomputes sigma from the input with the default eps instead of the forward pass's eps
    x, gamma = c["x"], c["gamma"]
    sigma = np.sqrt(x.var(axis=0) + 1e-5)
    x_hat = (x - x.mean(axis=0)) / sigma
    return _compact_dx(dout, x_hat, sigma, gamma, 0), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def batchnorm_backward__keepdims_sums(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return (_compact_dx(dout, x_hat, sigma, gamma, 0), (dout * x_hat).sum(axis=0, keepdims=True),
            dout.sum(axis=0, keepdims=True))


def batchnorm_backward__reads_global_cache(dout, cache):
    c = _GLOBAL["bn_cache"]
    x_hat, sigma, gamma, dbeta, dgamma = _bn_grads(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, 0), dgamma, dbeta


def batchnorm_backward__delegates_top_level(dout, c):
    _, cache, _ = _lib_batchnorm_forward(c["x"], c["gamma"], np.zeros_like(c["gamma"]),
                                         {"mean": np.zeros_like(c["gamma"]), "var": np.ones_like(c["gamma"])},
                                         eps=c["eps"])
    return _lib_batchnorm_backward(dout, cache)


def batchnorm_backward__delegates_inside(dout, c):
    from nntrain import layers
    D = c["gamma"].shape
    _, cache, _ = layers.batchnorm_forward(c["x"], c["gamma"], np.zeros(D),
                                           {"mean": np.zeros(D), "var": np.ones(D)}, eps=c["eps"])
    return layers.batchnorm_backward(dout, cache)


# ============================================================================ batchnorm_backward: right

def _staged_forward(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if not train:
        return _bn(x, gamma, beta, running, train, momentum, eps)
    N = x.shape[0]
    mu = x.sum(axis=0) / N
    d = x - mu
    v = (d * d).sum(axis=0) / N
    s = np.sqrt(v + eps)
    inv = 1.0 / s
    x_hat = d * inv
    out = gamma * x_hat + beta
    running_next = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                    "var": momentum * running["var"] + (1 - momentum) * v}
    return out, (x_hat, gamma, d, inv, s, v, eps, N), running_next


def batchnorm_backward__staged(dout, cache):
    # the computational graph of section 4, one node at a time (CS231n style)
    x_hat, gamma, d, inv, s, v, eps, N = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dinv = (dx_hat * d).sum(axis=0)
    ds = -dinv / s ** 2
    dv = ds * 0.5 / np.sqrt(v + eps)
    dd = dx_hat * inv + 2 * d * dv / N
    dmu = -dd.sum(axis=0)
    return dd + dmu / N, dgamma, dbeta


def batchnorm_backward__n_form(dout, c):
    # dx = gamma / (N sigma) * (N dout - sum(dout) - x_hat * sum(dout * x_hat))
    x_hat, sigma, gamma = c["x_hat"], c["sigma"], c["gamma"]
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * sigma) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_backward__from_x(dout, c):
    # recompute everything from the input kept in the cache
    x, gamma, eps = c["x"], c["gamma"], c["eps"]
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / np.sqrt(var + eps)
    return dx, np.einsum("nd,nd->d", dout, x_hat), np.einsum("nd->d", dout)


def batchnorm_backward__loops(dout, c):
    x_hat, sigma, gamma = c["x_hat"], c["sigma"], c["gamma"]
    N, D = dout.shape
    dx, dgamma, dbeta = np.zeros((N, D)), np.zeros(D), np.zeros(D)
    for j in range(D):
        g = gamma[j] * dout[:, j]
        dbeta[j] = dout[:, j].sum()
        dgamma[j] = dout[:, j] @ x_hat[:, j]
        dx[:, j] = (g - g.mean() - x_hat[:, j] * (g @ x_hat[:, j]) / N) / sigma[0, j]
    return dx, dgamma, dbeta


# ============================================================================ spatial_batchnorm_forward

def _pixels(x):
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _pixel_cache(x, gamma, mu, var, eps):
    """The solution's spatial cache ((N*H*W, C) batch-norm cache, shape) for a normalization of x
    with statistics mu, var broadcast to x's shape."""
    x = np.asarray(x, dtype=float)
    sigma = np.broadcast_to(np.sqrt(var + eps), x.shape)
    return {"x_hat": _pixels((x - mu) / sigma), "sigma": _pixels(sigma), "gamma": gamma}, x.shape


def spatial_batchnorm_forward__stats_per_position(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    # normalizes every (c, h, w) over the batch only
    x = np.asarray(x, dtype=float)
    g, b = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    if train:
        mu, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)
        running_next = {"mean": momentum * running["mean"] + (1 - momentum) * mu.mean(axis=(0, 2, 3)),
                        "var": momentum * running["var"] + (1 - momentum) * var.mean(axis=(0, 2, 3))}
    else:
        mu, var = running["mean"].reshape(1, -1, 1, 1), running["var"].reshape(1, -1, 1, 1)
        running_next = {k: v.copy() for k, v in running.items()}
    return g * (x - mu) / np.sqrt(var + eps) + b, _pixel_cache(x, gamma, mu, var, eps), running_next


def spatial_batchnorm_forward__reshape_without_transpose(x, gamma, beta, running, train=True, momentum=0.9,
                                                          eps=1e-5):
    x = np.asarray(x, dtype=float)
    C = x.shape[1]
    out, cache, running_next = _bn(x.reshape(-1, C), gamma, beta, running, train, momentum, eps)
    return out.reshape(x.shape), (cache, x.shape), running_next


def spatial_batchnorm_forward__transpose_back_wrong(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    out, cache, running_next = _bn(_pixels(x), gamma, beta, running, train, momentum, eps)
    return out.reshape(x.shape), (cache, x.shape), running_next


def spatial_batchnorm_forward__stats_per_sample_and_channel(x, gamma, beta, running, train=True, momentum=0.9,
                                                             eps=1e-5):
    x = np.asarray(x, dtype=float)
    out, *_ = _normalize(x, gamma, beta, (2, 3), 1, eps)
    if not train:
        return _spatial(x, gamma, beta, running, train, momentum, eps)
    cache = _pixel_cache(x, gamma, x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True), eps)
    return out, cache, _spatial(x, gamma, beta, running, train, momentum, eps)[2]


def spatial_batchnorm_forward__stats_over_n_and_channels(x, gamma, beta, running, train=True, momentum=0.9,
                                                          eps=1e-5):
    x = np.asarray(x, dtype=float)
    if not train:
        return _spatial(x, gamma, beta, running, train, momentum, eps)
    out, *_ = _normalize(x, gamma, beta, (0, 1), 1, eps)        # over N and C per pixel
    cache = _pixel_cache(x, gamma, x.mean(axis=(0, 1), keepdims=True), x.var(axis=(0, 1), keepdims=True), eps)
    return out, cache, _spatial(x, gamma, beta, running, train, momentum, eps)[2]


def spatial_batchnorm_forward__stats_over_n_and_h(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if not train:
        return _spatial(x, gamma, beta, running, train, momentum, eps)
    out, *_ = _normalize(x, gamma, beta, (0, 2), 1, eps)        # forgot W
    cache = _pixel_cache(x, gamma, x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True), eps)
    return out, cache, _spatial(x, gamma, beta, running, train, momentum, eps)[2]


def spatial_batchnorm_forward__unbiased_variance(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, train, momentum, eps, ddof=1)


def spatial_batchnorm_forward__eps_outside_sqrt(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, train, momentum, eps, eps_outside=True)


def spatial_batchnorm_forward__momentum_swapped(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, train, momentum, eps, swap=True)


def spatial_batchnorm_forward__ignores_momentum(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, train, 0.9, eps)


def spatial_batchnorm_forward__ignores_eps(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, train, momentum)


def spatial_batchnorm_forward__always_train(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _spatial(x, gamma, beta, running, True, momentum, eps)


def spatial_batchnorm_forward__test_mode_shallow_copy(x, gamma, beta, running, train=True, momentum=0.9,
                                                       eps=1e-5):
    return _spatial(x, gamma, beta, running, train, momentum, eps, copy_test=False)


def spatial_batchnorm_forward__test_mode_same_dict(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _spatial(x, gamma, beta, running, train, momentum, eps)
    return out, cache, running_next if train else running


def spatial_batchnorm_forward__gamma_on_last_axis(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    _, cache, running_next = _spatial(x, gamma, beta, running, train, momentum, eps)
    x_hat = _spatial(x, np.ones_like(gamma), np.zeros_like(beta), running, train, momentum, eps)[0]
    return gamma * x_hat[..., :len(gamma)] if x.shape[3] != len(gamma) else gamma * x_hat + beta, cache, running_next


def spatial_batchnorm_forward__mutates_running(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    out, cache, running_next = _spatial(x, gamma, beta, running, train, momentum, eps)
    running.update(running_next)
    return out, cache, running


def spatial_batchnorm_forward__delegates_top_level(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    return _lib_spatial_batchnorm_forward(x, gamma, beta, running, train, momentum, eps)


def spatial_batchnorm_forward__delegates_to_batchnorm(x, gamma, beta, running, train=True, momentum=0.9,
                                                      eps=1e-5):
    from nntrain.layers import batchnorm_forward as lib
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    out, cache, running_next = lib(_pixels(x), gamma, beta, running, train, momentum, eps)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), (cache, x.shape), running_next


# ------------------------------------------------------------------- spatial_batchnorm_forward: right

def spatial_batchnorm_forward__direct_axes(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    if train:
        mu = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        running_next = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                        "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        mu, var = running["mean"], running["var"]
        running_next = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    shape = (1, -1, 1, 1)
    x_hat = (x - mu.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), (x_hat, var, eps, gamma), running_next


def spatial_batchnorm_forward__channel_loop(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    new = {"mean": np.array(running["mean"], dtype=float), "var": np.array(running["var"], dtype=float)}
    for c in range(x.shape[1]):
        values = x[:, c]
        if train:
            m, v = values.mean(), values.var()
            new["mean"][c] = momentum * running["mean"][c] + (1 - momentum) * m
            new["var"][c] = momentum * running["var"][c] + (1 - momentum) * v
        else:
            m, v = running["mean"][c], running["var"][c]
        out[:, c] = gamma[c] * (values - m) / np.sqrt(v + eps) + beta[c]
    return out, {"x": x, "gamma": gamma, "eps": eps}, new


def spatial_batchnorm_forward__moveaxis(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x)
    last = np.moveaxis(x, 1, -1)                                   # (N, H, W, C)
    flat = last.reshape(-1, last.shape[-1])
    if train:
        mu = flat.mean(axis=0)
        var = np.mean((flat - mu) ** 2, axis=0)
        running_next = {k: momentum * running[k] + (1 - momentum) * s for k, s in (("mean", mu), ("var", var))}
    else:
        mu, var = running["mean"], running["var"]
        running_next = copy.deepcopy(running)
    x_hat = (last - mu) / np.sqrt(var + eps)
    return np.moveaxis(gamma * x_hat + beta, -1, 1), {"shape": x.shape, "x_hat": x_hat, "sigma": np.sqrt(var + eps),
                                                      "gamma": gamma}, running_next


def spatial_batchnorm_forward__direct_axes_for_your_backward(x, gamma, beta, running, train=True, momentum=0.9,
                                                             eps=1e-5):
    # from scratch, but with the cache of the notebook's batchnorm_forward, so that the notebook's
    # spatial_batchnorm_backward, which hands it to batchnorm_backward, reads it: the test's run with
    # a correct batchnorm_backward cannot read it, its run with the student's own one can
    x = np.asarray(x, dtype=float)
    out, cache, running_next = spatial_batchnorm_forward__direct_axes(x, gamma, beta, running, train, momentum, eps)
    mu, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    return out, _pixel_cache(x, gamma, mu, var, eps), running_next


# matching backward passes of the right forward passes

def spatial_batchnorm_backward__for_direct_axes(dout, cache):
    x_hat, var, eps, gamma = cache
    axes, shape = (0, 2, 3), (1, -1, 1, 1)
    g = gamma.reshape(shape) * dout
    dx = (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) \
        / np.sqrt(var.reshape(shape) + eps)
    return dx, (dout * x_hat).sum(axis=axes), dout.sum(axis=axes)


def spatial_batchnorm_backward__for_channel_loop(dout, cache):
    x, gamma, eps = cache["x"], cache["gamma"], cache["eps"]
    dx, dgamma, dbeta = np.empty_like(x), np.empty(x.shape[1]), np.empty(x.shape[1])
    for c in range(x.shape[1]):
        values, d = x[:, c], dout[:, c]
        sigma = np.sqrt(values.var() + eps)
        x_hat = (values - values.mean()) / sigma
        g = gamma[c] * d
        dx[:, c] = (g - g.mean() - x_hat * (g * x_hat).mean()) / sigma
        dgamma[c], dbeta[c] = (d * x_hat).sum(), d.sum()
    return dx, dgamma, dbeta


def spatial_batchnorm_backward__for_moveaxis(dout, cache):
    x_hat, sigma, gamma = cache["x_hat"], cache["sigma"], cache["gamma"]       # (N, H, W, C) layout
    d = np.moveaxis(dout, 1, -1)
    g = gamma * d
    axes = (0, 1, 2)
    dx = (g - g.mean(axis=axes) - x_hat * (g * x_hat).mean(axis=axes)) / sigma
    return np.moveaxis(dx, -1, 1), (d * x_hat).sum(axis=axes), d.sum(axis=axes)


def spatial_batchnorm_backward__from_scratch_for_your_forward(dout, cache):
    # from scratch, reading the cache the notebook's spatial_batchnorm_forward builds with
    # batchnorm_forward: the test's run with a correct batchnorm_forward hands it another cache,
    # its run with the student's own batchnorm_forward this one
    bn_cache, (N, C, H, W) = cache
    x_hat, sigma, gamma = bn_cache["x_hat"], bn_cache["sigma"], bn_cache["gamma"]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    g = gamma * d
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / sigma
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), (d * x_hat).sum(axis=0), d.sum(axis=0)


# ============================================================================ spatial_batchnorm_backward

def _spatial_forward_cached(x, gamma, beta, running, train=True, momentum=0.9, eps=1e-5):
    x = np.asarray(x, dtype=float)
    _, x_hat, mean, var, sigma = _normalize(x, gamma, beta, (0, 2, 3), 1, eps)
    out, _, running_next = _spatial(x, gamma, beta, running, train, momentum, eps)
    cache = {"x": x, "x_hat": x_hat, "sigma": sigma, "gamma": gamma.reshape(1, -1, 1, 1), "eps": eps}
    _GLOBAL["spatial_cache"] = cache
    return out, cache, running_next


def _sp(dout, c):
    return c["x_hat"], c["sigma"], c["gamma"], dout.sum(axis=(0, 2, 3)), (dout * c["x_hat"]).sum(axis=(0, 2, 3))


def spatial_batchnorm_backward__means_over_batch_only(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, (0,)), dgamma, dbeta


def spatial_batchnorm_backward__means_over_pixels_only(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, (2, 3)), dgamma, dbeta


def spatial_batchnorm_backward__reshape_without_transpose(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    C = dout.shape[1]
    d2 = dout.reshape(-1, C)
    xh2 = _pixels(x_hat)
    dx2 = _compact_dx(d2, xh2, sigma.reshape(1, -1), gamma.reshape(1, -1), 0)
    return dx2.reshape(dout.shape), dgamma, dbeta


def spatial_batchnorm_backward__constant_statistics(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return gamma * dout / sigma, dgamma, dbeta


def spatial_batchnorm_backward__dgamma_over_batch_only(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, (0, 2, 3)), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def spatial_batchnorm_backward__count_minus_1(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    M = dout.shape[0] * dout.shape[2] * dout.shape[3]
    g = gamma * dout
    dx = (g - g.sum(axis=(0, 2, 3), keepdims=True) / M
          - x_hat * (g * x_hat).sum(axis=(0, 2, 3), keepdims=True) / (M - 1)) / sigma
    return dx, dgamma, dbeta


def spatial_batchnorm_backward__dbeta_mean(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, (0, 2, 3)), dgamma, dout.mean(axis=(0, 2, 3))


def spatial_batchnorm_backward__sigma_without_eps(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    x = c["x"]
    s0 = x.std(axis=(0, 2, 3), keepdims=True)
    x_hat0 = (x - x.mean(axis=(0, 2, 3), keepdims=True)) / s0
    return _compact_dx(dout, x_hat0, s0, gamma, (0, 2, 3)), dgamma, dbeta


def spatial_batchnorm_backward__default_eps(dout, c):
    x, gamma = c["x"], c["gamma"]
    sigma = np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + 1e-5)
    x_hat = (x - x.mean(axis=(0, 2, 3), keepdims=True)) / sigma
    return (_compact_dx(dout, x_hat, sigma, gamma, (0, 2, 3)), (dout * x_hat).sum(axis=(0, 2, 3)),
            dout.sum(axis=(0, 2, 3)))


def spatial_batchnorm_backward__reads_global_cache(dout, cache):
    c = _GLOBAL["spatial_cache"]
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    return _compact_dx(dout, x_hat, sigma, gamma, (0, 2, 3)), dgamma, dbeta


def spatial_batchnorm_backward__delegates_top_level(dout, c):
    C = c["gamma"].size
    _, cache, _ = _lib_spatial_batchnorm_forward(c["x"], c["gamma"].reshape(-1), np.zeros(C),
                                                 {"mean": np.zeros(C), "var": np.ones(C)}, eps=c["eps"])
    return _lib_spatial_batchnorm_backward(dout, cache)


def spatial_batchnorm_backward__delegates_to_batchnorm(dout, c):
    from nntrain.layers import batchnorm_backward, batchnorm_forward
    N, C, H, W = dout.shape
    _, cache, _ = batchnorm_forward(_pixels(c["x"]), c["gamma"].reshape(-1), np.zeros(C),
                                    {"mean": np.zeros(C), "var": np.ones(C)}, eps=c["eps"])
    dx, dgamma, dbeta = batchnorm_backward(_pixels(dout), cache)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta


# ------------------------------------------------------------------- spatial_batchnorm_backward: right

def spatial_batchnorm_backward__direct_axes(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _sp(dout, c)
    g = gamma * dout
    axes = (0, 2, 3)
    dx = (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) / sigma
    return dx, dgamma, dbeta


def spatial_batchnorm_backward__channel_loop(dout, c):
    x_hat, sigma, gamma = c["x_hat"], c["sigma"], c["gamma"].reshape(-1)
    dx = np.empty_like(dout, dtype=float)
    C = dout.shape[1]
    dgamma, dbeta = np.empty(C), np.empty(C)
    for k in range(C):
        d, xh = dout[:, k], x_hat[:, k]
        M = d.size
        dbeta[k], dgamma[k] = d.sum(), (d * xh).sum()
        dx[:, k] = gamma[k] / (M * sigma.reshape(-1)[k]) * (M * d - dbeta[k] - xh * dgamma[k])
    return dx, dgamma, dbeta


def spatial_batchnorm_backward__via_pixels(dout, c):
    N, C, H, W = dout.shape
    d2, xh2 = _pixels(dout), _pixels(c["x_hat"])
    dbeta, dgamma = d2.sum(axis=0), (d2 * xh2).sum(axis=0)
    g = c["gamma"].reshape(-1) * d2
    dx2 = (g - g.mean(axis=0) - xh2 * (g * xh2).mean(axis=0)) / c["sigma"].reshape(-1)
    return dx2.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta


# ============================================================================ layernorm_forward

def _ln(x, gamma, beta, eps=1e-5, **switches):
    x = np.asarray(x, dtype=float)
    out, x_hat, mean, var, sigma = _normalize(x, gamma, beta, (1,), 1, eps, **switches)
    cache = {"x": x, "x_hat": x_hat, "sigma": sigma, "gamma": gamma, "eps": eps}
    _GLOBAL["ln_cache"] = cache
    return out, cache


def layernorm_forward__stats_over_batch(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    out, x_hat, _, _, sigma = _normalize(x, gamma, beta, (0,), 1, eps)
    return out, {"x_hat": x_hat, "sigma": sigma, "gamma": gamma}


def layernorm_forward__unbiased_variance(x, gamma, beta, eps=1e-5):
    return _ln(x, gamma, beta, eps, ddof=1)


def layernorm_forward__eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    return _ln(x, gamma, beta, eps, eps_outside=True)


def layernorm_forward__ignores_eps(x, gamma, beta, eps=1e-5):
    return _ln(x, gamma, beta)


def layernorm_forward__no_eps(x, gamma, beta, eps=1e-5):
    return _ln(x, gamma, beta, 0.0)


def layernorm_forward__gamma_beta_swapped(x, gamma, beta, eps=1e-5):
    return _ln(x, beta, gamma, eps)


def layernorm_forward__forgets_gamma_beta(x, gamma, beta, eps=1e-5):
    return _ln(x, np.ones_like(gamma), np.zeros_like(beta), eps)


def layernorm_forward__uncentred_variance(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=1, keepdims=True)
    var = (x ** 2).mean(axis=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x_hat": x_hat, "sigma": np.sqrt(var + eps), "gamma": gamma}


def layernorm_forward__std_of_whole_batch(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(x.var() + eps)
    return gamma * x_hat + beta, {"x_hat": x_hat, "sigma": np.sqrt(x.var() + eps), "gamma": gamma}


def layernorm_forward__mutates_x(x, gamma, beta, eps=1e-5):
    x -= x.mean(axis=1, keepdims=True)
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x /= sigma
    return gamma * x + beta, {"x_hat": x, "sigma": sigma, "gamma": gamma}


def layernorm_forward__delegates_top_level(x, gamma, beta, eps=1e-5):
    return _lib_layernorm_forward(x, gamma, beta, eps)[0], _own_cache(x, gamma, eps, axes=(1,))


def layernorm_forward__delegates_via_batchnorm(x, gamma, beta, eps=1e-5):
    from nntrain.layers import batchnorm_forward
    x = np.asarray(x, dtype=float)
    N = x.shape[0]
    out_t, cache, _ = batchnorm_forward(x.T, np.ones(N), np.zeros(N), {"mean": np.zeros(N), "var": np.ones(N)},
                                        eps=eps)
    return gamma * out_t.T + beta, _own_cache(x, gamma, eps, axes=(1,))


# ------------------------------------------------------------------- layernorm_forward: right

def layernorm_forward__transpose_trick(x, gamma, beta, eps=1e-5):
    xt = np.asarray(x, dtype=float).T                               # (D, N): samples are columns
    mu = xt.mean(axis=0)
    var = xt.var(axis=0)
    x_hat = ((xt - mu) / np.sqrt(var + eps)).T
    return gamma * x_hat + beta, (x_hat, np.sqrt(var + eps)[:, None], gamma)


def layernorm_forward__row_loop(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i, row in enumerate(x):
        m = row.mean()
        out[i] = gamma * (row - m) / np.sqrt(((row - m) ** 2).mean() + eps) + beta
    return out, {"x": x, "eps": eps, "gamma": gamma}


def layernorm_forward__moments_float32(x, gamma, beta, eps=1e-5):
    x = np.asarray(x)
    D = x.shape[1]
    mu = x.sum(axis=1, keepdims=True) / D
    var = (x * x).sum(axis=1, keepdims=True) / D - mu * mu
    inv = 1.0 / np.sqrt(var + eps)
    return (x - mu) * inv * gamma + beta, [x, mu, inv, gamma]


def layernorm_backward__for_transpose_trick(dout, cache):
    x_hat, sigma, gamma = cache
    g = (gamma * dout).T                                            # (D, N)
    xt = x_hat.T
    dxt = (g - g.mean(axis=0) - xt * (g * xt).mean(axis=0)) / sigma.T
    return dxt.T, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def layernorm_backward__for_moments(dout, cache):
    x, mu, inv, gamma = cache
    x_hat = (x - mu) * inv
    g = gamma * dout
    dx = inv * (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


# ============================================================================ layernorm_backward

def _ln_parts(dout, c):
    return c["x_hat"], c["sigma"], c["gamma"], dout.sum(axis=0), (dout * c["x_hat"]).sum(axis=0)


def layernorm_backward__means_over_batch(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    g = gamma * dout
    return (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / sigma, dgamma, dbeta


def layernorm_backward__constant_statistics(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    return gamma * dout / sigma, dgamma, dbeta


def layernorm_backward__dgamma_over_features(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    return (_compact_dx(dout, x_hat, sigma, gamma, 1), (dout * x_hat).sum(axis=1, keepdims=True).T[0],
            dout.sum(axis=1))


def layernorm_backward__no_variance_path(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    g = gamma * dout
    return (g - g.mean(axis=1, keepdims=True)) / sigma, dgamma, dbeta


def layernorm_backward__no_mean_path(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    g = gamma * dout
    return (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / sigma, dgamma, dbeta


def layernorm_backward__d_minus_1(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    D = dout.shape[1]
    g = gamma * dout
    dx = (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).sum(axis=1, keepdims=True) / (D - 1)) / sigma
    return dx, dgamma, dbeta


def layernorm_backward__forgets_gamma(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    return _compact_dx(dout, x_hat, sigma, 1.0, 1), dgamma, dbeta


def layernorm_backward__gamma_after_means(dout, c):
    # gamma multiplied after the means are taken, as if it were a scalar per sample
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    return gamma * _compact_dx(dout, x_hat, sigma, 1.0, 1), dgamma, dbeta


def layernorm_backward__sigma_without_eps(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    x = c["x"]
    s0 = x.std(axis=1, keepdims=True)
    return _compact_dx(dout, (x - x.mean(axis=1, keepdims=True)) / s0, s0, gamma, 1), dgamma, dbeta


def layernorm_backward__default_eps(dout, c):
    x, gamma = c["x"], c["gamma"]
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / sigma
    return _compact_dx(dout, x_hat, sigma, gamma, 1), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def layernorm_backward__reads_global_cache(dout, cache):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, _GLOBAL["ln_cache"])
    return _compact_dx(dout, x_hat, sigma, gamma, 1), dgamma, dbeta


def layernorm_backward__wrong_sign(dout, c):
    x_hat, sigma, gamma, dbeta, dgamma = _ln_parts(dout, c)
    g = gamma * dout
    return (g + g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)) / sigma, dgamma, dbeta


def layernorm_backward__delegates_top_level(dout, c):
    _, cache = _lib_layernorm_forward(c["x"], c["gamma"], np.zeros_like(c["gamma"]), c["eps"])
    return _lib_layernorm_backward(dout, cache)


def layernorm_backward__delegates_inside(dout, c):
    from nntrain import layers
    _, cache = layers.layernorm_forward(c["x"], c["gamma"], np.zeros_like(c["gamma"]), eps=c["eps"])
    return layers.layernorm_backward(dout, cache)


# ------------------------------------------------------------------- layernorm_backward: right

def layernorm_backward__d_form(dout, c):
    x_hat, sigma, gamma = c["x_hat"], c["sigma"], c["gamma"]
    D = dout.shape[1]
    g = gamma * dout
    dx = (D * g - g.sum(axis=1, keepdims=True) - x_hat * (g * x_hat).sum(axis=1, keepdims=True)) / (D * sigma)
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def layernorm_backward__staged(dout, c):
    x, gamma, eps = c["x"], c["gamma"], c["eps"]
    D = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    d = x - mu
    v = (d ** 2).mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(v + eps)
    x_hat = d * inv
    dx_hat = dout * gamma
    dv = -0.5 * (dx_hat * d).sum(axis=1, keepdims=True) * inv ** 3
    dd = dx_hat * inv + dv * 2 * d / D
    dx = dd - dd.mean(axis=1, keepdims=True)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def layernorm_backward__via_transpose(dout, c):
    # the batch-norm formula on the transposed arrays
    gt = (c["gamma"] * dout).T
    xt = c["x_hat"].T
    dxt = (gt - gt.mean(axis=0) - xt * (gt * xt).mean(axis=0)) / c["sigma"].T
    return dxt.T, (dout * c["x_hat"]).sum(axis=0), dout.sum(axis=0)


# ============================================================================ instancenorm_forward

def _in(x, gamma, beta, eps=1e-5, axes=(2, 3), **switches):
    x = np.asarray(x, dtype=float)
    return _normalize(x, gamma, beta, axes, 1, eps, **switches)[0], None


def instancenorm_forward__stats_per_sample(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta, eps, axes=(1, 2, 3))


def instancenorm_forward__stats_per_channel_over_batch(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta, eps, axes=(0, 2, 3))


def instancenorm_forward__stats_over_w_only(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta, eps, axes=(3,))


def instancenorm_forward__unbiased_variance(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta, eps, ddof=1)


def instancenorm_forward__eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta, eps, eps_outside=True)


def instancenorm_forward__ignores_eps(x, gamma, beta, eps=1e-5):
    return _in(x, gamma, beta)


def instancenorm_forward__forgets_gamma_beta(x, gamma, beta, eps=1e-5):
    return _in(x, np.ones_like(gamma), np.zeros_like(beta), eps)


def instancenorm_forward__gamma_on_last_axis(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    x_hat = _in(x, np.ones_like(gamma), np.zeros_like(beta), eps)[0]
    if x.shape[3] != len(gamma):
        raise ValueError("operands could not be broadcast together")
    return gamma * x_hat + beta, None


def instancenorm_forward__gamma_beta_swapped(x, gamma, beta, eps=1e-5):
    return _in(x, beta, gamma, eps)


def instancenorm_forward__mutates_x(x, gamma, beta, eps=1e-5):
    x -= x.mean(axis=(2, 3), keepdims=True)
    x /= np.sqrt(x.var(axis=(2, 3), keepdims=True) + eps)
    return gamma.reshape(1, -1, 1, 1) * x + beta.reshape(1, -1, 1, 1), None


def instancenorm_forward__delegates_top_level(x, gamma, beta, eps=1e-5):
    return _lib_instancenorm_forward(x, gamma, beta, eps)


def instancenorm_forward__delegates_via_spatial(x, gamma, beta, eps=1e-5):
    from nntrain.layers import spatial_batchnorm_forward
    C = len(gamma)
    start = {"mean": np.zeros(C), "var": np.ones(C)}
    return np.concatenate([spatial_batchnorm_forward(img[None], gamma, beta, start, eps=eps)[0]
                           for img in np.asarray(x, dtype=float)]), None


# ------------------------------------------------------------------- instancenorm_forward: right

def instancenorm_forward__flattened_pixels(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    flat = x.reshape(N, C, H * W)
    mu = flat.mean(axis=2)[..., None]
    var = flat.var(axis=2)[..., None]
    out = gamma[None, :, None] * (flat - mu) / np.sqrt(var + eps) + beta[None, :, None]
    return out.reshape(N, C, H, W), (mu, var)


def instancenorm_forward__loops(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            img = x[n, c]
            m = img.sum() / img.size
            v = ((img - m) ** 2).sum() / img.size
            out[n, c] = gamma[c] * (img - m) / np.sqrt(v + eps) + beta[c]
    return out, {}


def instancenorm_forward__float32_moments(x, gamma, beta, eps=1e-5):
    x = np.asarray(x)
    mu = np.mean(x, axis=(-2, -1), keepdims=True)
    var = np.mean(x * x, axis=(-2, -1), keepdims=True) - mu ** 2
    g, b = np.asarray(gamma)[:, None, None], np.asarray(beta)[:, None, None]
    return g * (x - mu) * (var + eps) ** -0.5 + b, None


# ------------------------------------------------------------------- a wrong forward with its own gradient
# A student whose backward pass is the gradient of their (wrong) forward pass loses only the
# forward pass's points: the backward test judges the backward pass against that forward pass.

def batchnorm_forward__unbiased_variance_with_its_gradient(x, gamma, beta, running, train=True, momentum=0.9,
                                                           eps=1e-5):
    return batchnorm_forward__unbiased_variance(x, gamma, beta, running, train, momentum, eps)


def layernorm_forward__unbiased_variance_with_its_gradient(x, gamma, beta, eps=1e-5):
    return layernorm_forward__unbiased_variance(x, gamma, beta, eps)


def spatial_batchnorm_forward__reshape_without_transpose_with_its_gradient(x, gamma, beta, running, train=True,
                                                                           momentum=0.9, eps=1e-5):
    return spatial_batchnorm_forward__reshape_without_transpose(x, gamma, beta, running, train, momentum, eps)


def spatial_batchnorm_backward__reshape_without_transpose_both_ways(dout, cache):
    c, shape = cache
    d = dout.reshape(-1, shape[1])
    dx = _compact_dx(d, c["x_hat"], c["sigma"], c["gamma"], 0)
    return dx.reshape(shape), (d * c["x_hat"]).sum(axis=0), d.sum(axis=0)


# ============================================================================ the lists

def _bwd(forward, backward):
    """An entry for a backward pass: with the forward pass whose cache it reads (None: the solution's)."""
    return (forward, backward)


def _fwd(forward, backward):
    """An entry for a forward pass: with the backward pass that reads its cache (None: the solution's)."""
    return (forward, backward)


WRONG = [
    ("batchnorm_forward", f) for f in (
        batchnorm_forward__unbiased_variance, batchnorm_forward__eps_outside_sqrt, batchnorm_forward__no_eps,
        batchnorm_forward__ignores_eps, batchnorm_forward__stats_per_sample, batchnorm_forward__momentum_swapped,
        batchnorm_forward__ignores_momentum, batchnorm_forward__running_var_unbiased,
        batchnorm_forward__running_var_is_std, batchnorm_forward__running_var_with_eps,
        batchnorm_forward__test_mode_uses_batch_stats, batchnorm_forward__test_mode_updates_running,
        batchnorm_forward__test_mode_same_dict, batchnorm_forward__test_mode_shallow_copy,
        batchnorm_forward__test_mode_no_eps, batchnorm_forward__always_train,
        batchnorm_forward__train_flag_inverted, batchnorm_forward__normalizes_with_updated_running,
        batchnorm_forward__mutates_running, batchnorm_forward__updates_running_in_place,
        batchnorm_forward__gamma_beta_swapped, batchnorm_forward__uncentred_variance,
        batchnorm_forward__divides_by_variance, batchnorm_forward__mutates_x,
        batchnorm_forward__keeps_its_own_running, batchnorm_forward__delegates_top_level,
        batchnorm_forward__delegates_inside, batchnorm_forward__delegates_to_spatial)
] + [
    # the unbiased variance, with the backward pass that is ITS gradient (the N - 1 form)
    ("batchnorm_forward", _fwd(batchnorm_forward__unbiased_variance_with_its_gradient, batchnorm_backward__n_minus_1)),
] + [
    ("batchnorm_backward", _bwd(_bn_forward_cached, f)) for f in (
        batchnorm_backward__constant_statistics, batchnorm_backward__no_variance_path,
        batchnorm_backward__no_mean_path, batchnorm_backward__forgets_gamma, batchnorm_backward__dgamma_with_x,
        batchnorm_backward__dgamma_times_gamma, batchnorm_backward__dbeta_mean,
        batchnorm_backward__dgamma_over_features, batchnorm_backward__n_minus_1,
        batchnorm_backward__sums_instead_of_means, batchnorm_backward__sigma_without_eps,
        batchnorm_backward__wrong_sign, batchnorm_backward__times_sigma, batchnorm_backward__staged_missing_half,
        batchnorm_backward__mutates_dout, batchnorm_backward__delegates_top_level,
        batchnorm_backward__delegates_inside, batchnorm_backward__default_eps, batchnorm_backward__keepdims_sums)
] + [
    ("batchnorm_backward", _bwd(_bn_forward_global, batchnorm_backward__reads_global_cache)),
] + [
    ("spatial_batchnorm_forward", f) for f in (
        spatial_batchnorm_forward__stats_per_position, spatial_batchnorm_forward__reshape_without_transpose,
        spatial_batchnorm_forward__transpose_back_wrong, spatial_batchnorm_forward__stats_per_sample_and_channel,
        spatial_batchnorm_forward__stats_over_n_and_channels, spatial_batchnorm_forward__stats_over_n_and_h,
        spatial_batchnorm_forward__unbiased_variance, spatial_batchnorm_forward__eps_outside_sqrt,
        spatial_batchnorm_forward__momentum_swapped, spatial_batchnorm_forward__ignores_momentum,
        spatial_batchnorm_forward__ignores_eps, spatial_batchnorm_forward__always_train,
        spatial_batchnorm_forward__test_mode_shallow_copy, spatial_batchnorm_forward__test_mode_same_dict,
        spatial_batchnorm_forward__gamma_on_last_axis, spatial_batchnorm_forward__mutates_running,
        spatial_batchnorm_forward__delegates_top_level, spatial_batchnorm_forward__delegates_to_batchnorm)
] + [
    ("spatial_batchnorm_forward", _fwd(spatial_batchnorm_forward__reshape_without_transpose_with_its_gradient,
                                       spatial_batchnorm_backward__reshape_without_transpose_both_ways)),
] + [
    ("spatial_batchnorm_backward", _bwd(_spatial_forward_cached, f)) for f in (
        spatial_batchnorm_backward__means_over_batch_only, spatial_batchnorm_backward__means_over_pixels_only,
        spatial_batchnorm_backward__reshape_without_transpose, spatial_batchnorm_backward__constant_statistics,
        spatial_batchnorm_backward__dgamma_over_batch_only, spatial_batchnorm_backward__count_minus_1,
        spatial_batchnorm_backward__dbeta_mean, spatial_batchnorm_backward__sigma_without_eps,
        spatial_batchnorm_backward__reads_global_cache, spatial_batchnorm_backward__delegates_top_level,
        spatial_batchnorm_backward__delegates_to_batchnorm, spatial_batchnorm_backward__default_eps)
] + [
    ("layernorm_forward", f) for f in (
        layernorm_forward__stats_over_batch, layernorm_forward__unbiased_variance,
        layernorm_forward__eps_outside_sqrt, layernorm_forward__ignores_eps, layernorm_forward__no_eps,
        layernorm_forward__gamma_beta_swapped, layernorm_forward__forgets_gamma_beta,
        layernorm_forward__uncentred_variance, layernorm_forward__std_of_whole_batch,
        layernorm_forward__mutates_x, layernorm_forward__delegates_top_level,
        layernorm_forward__delegates_via_batchnorm)
] + [
    ("layernorm_forward", _fwd(layernorm_forward__unbiased_variance_with_its_gradient, layernorm_backward__d_minus_1)),
] + [
    ("layernorm_backward", _bwd(_ln, f)) for f in (
        layernorm_backward__means_over_batch, layernorm_backward__constant_statistics,
        layernorm_backward__dgamma_over_features, layernorm_backward__no_variance_path,
        layernorm_backward__no_mean_path, layernorm_backward__d_minus_1, layernorm_backward__forgets_gamma,
        layernorm_backward__gamma_after_means, layernorm_backward__sigma_without_eps,
        layernorm_backward__reads_global_cache, layernorm_backward__wrong_sign,
        layernorm_backward__delegates_top_level, layernorm_backward__delegates_inside,
        layernorm_backward__default_eps)
] + [
    ("instancenorm_forward", f) for f in (
        instancenorm_forward__stats_per_sample, instancenorm_forward__stats_per_channel_over_batch,
        instancenorm_forward__stats_over_w_only, instancenorm_forward__unbiased_variance,
        instancenorm_forward__eps_outside_sqrt, instancenorm_forward__ignores_eps,
        instancenorm_forward__forgets_gamma_beta, instancenorm_forward__gamma_on_last_axis,
        instancenorm_forward__gamma_beta_swapped, instancenorm_forward__mutates_x,
        instancenorm_forward__delegates_top_level, instancenorm_forward__delegates_via_spatial)
]

def _spill(forward, why):
    return (f"the notebook's (correct) backward pass, paired with this forward pass, is not the gradient of "
            f"what it computes ({why}): the backward test cannot judge it and says first that {forward} is "
            f"wrong on its input")


def _crash(forward, why):
    return f"{forward} raises an error on the backward test's input ({why}): nothing to judge the backward pass against"


# Wrong forward passes that make the correct backward pass fail its test: the backward pass is judged
# against the student's own forward pass, and these change the function it computes so that the
# backward formula is no longer its gradient (section "A wrong forward with its own gradient" shows
# that a backward pass consistent with such a forward pass keeps its points).
_BN, _SBN, _LN = "batchnorm_forward", "spatial_batchnorm_forward", "layernorm_forward"
SPILL = {
    "batchnorm_forward__unbiased_variance": {
        "test_batchnorm_backward": _spill(_BN, "it divides the variance by N - 1")},
    "batchnorm_forward__stats_per_sample": {"test_batchnorm_backward": _spill(_BN, "it normalizes each sample")},
    "batchnorm_forward__train_flag_inverted": {
        "test_batchnorm_backward": _spill(_BN, "in train mode it normalizes with the running statistics")},
    "batchnorm_forward__normalizes_with_updated_running": {
        "test_batchnorm_backward": _spill(_BN, "it normalizes with the updated running statistics")},
    "batchnorm_forward__gamma_beta_swapped": {
        "test_batchnorm_backward": _spill(_BN, "gamma shifts and beta scales: dgamma and dbeta trade places")},
    "batchnorm_forward__uncentred_variance": {"test_batchnorm_backward": _spill(_BN, "its variance is mean(x**2)")},
    "batchnorm_forward__divides_by_variance": {
        "test_batchnorm_backward": _spill(_BN, "it divides by the variance, not by its square root")},
    "batchnorm_forward__keeps_its_own_running": {
        "test_batchnorm_backward": _crash(_BN, "the running statistics it kept from an earlier call have another "
                                               "shape")},
    "spatial_batchnorm_forward__stats_per_position": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "statistics per (c, h, w) over N")},
    "spatial_batchnorm_forward__reshape_without_transpose": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "it mixes channels and pixels")},
    "spatial_batchnorm_forward__transpose_back_wrong": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "it puts the pixels back in the wrong order")},
    "spatial_batchnorm_forward__stats_per_sample_and_channel": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "statistics over H, W only")},
    "spatial_batchnorm_forward__stats_over_n_and_channels": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "statistics over N and C")},
    "spatial_batchnorm_forward__stats_over_n_and_h": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "statistics over N and H, not W")},
    "spatial_batchnorm_forward__unbiased_variance": {
        "test_spatial_batchnorm_backward": _spill(_SBN, "it divides the variance by N*H*W - 1")},
    "spatial_batchnorm_forward__gamma_on_last_axis": {
        "test_spatial_batchnorm_backward": _crash(_SBN, "gamma does not broadcast along W != C")},
    "layernorm_forward__stats_over_batch": {"test_layernorm_backward": _spill(_LN, "statistics over the batch")},
    "layernorm_forward__unbiased_variance": {
        "test_layernorm_backward": _spill(_LN, "it divides the variance by D - 1")},
    "layernorm_forward__gamma_beta_swapped": {
        "test_layernorm_backward": _spill(_LN, "gamma shifts and beta scales: dgamma and dbeta trade places")},
    "layernorm_forward__forgets_gamma_beta": {
        "test_layernorm_backward": _spill(_LN, "it ignores gamma and beta, so their gradients are 0")},
    "layernorm_forward__uncentred_variance": {"test_layernorm_backward": _spill(_LN, "its variance is mean(x**2)")},
    "layernorm_forward__std_of_whole_batch": {
        "test_layernorm_backward": _spill(_LN, "one standard deviation for the whole batch")},
}

RIGHT = [
    ("batchnorm_forward", _fwd(batchnorm_forward__moments, batchnorm_backward__for_moments)),
    ("batchnorm_forward", _fwd(batchnorm_forward__feature_loop, batchnorm_backward__from_x)),
    ("batchnorm_forward", _fwd(batchnorm_forward__float32_preserving, batchnorm_backward__for_float32)),
    ("batchnorm_forward", _fwd(batchnorm_forward__keepdims, batchnorm_backward__for_keepdims)),
] + [
    ("batchnorm_backward", _bwd(_staged_forward, batchnorm_backward__staged)),
    ("batchnorm_backward", _bwd(_bn_forward_cached, batchnorm_backward__n_form)),
    ("batchnorm_backward", _bwd(_bn_forward_cached, batchnorm_backward__from_x)),
    ("batchnorm_backward", _bwd(_bn_forward_cached, batchnorm_backward__loops)),
] + [
    ("spatial_batchnorm_forward", _fwd(spatial_batchnorm_forward__direct_axes,
                                       spatial_batchnorm_backward__for_direct_axes)),
    ("spatial_batchnorm_forward", _fwd(spatial_batchnorm_forward__channel_loop,
                                       spatial_batchnorm_backward__for_channel_loop)),
    ("spatial_batchnorm_forward", _fwd(spatial_batchnorm_forward__moveaxis, spatial_batchnorm_backward__for_moveaxis)),
    # a forward pass from scratch whose cache the solution's backward hands to batchnorm_backward
    ("spatial_batchnorm_forward", _fwd(spatial_batchnorm_forward__direct_axes_for_your_backward, None)),
] + [
    ("spatial_batchnorm_backward", _bwd(_spatial_forward_cached, f)) for f in (
        spatial_batchnorm_backward__direct_axes, spatial_batchnorm_backward__channel_loop,
        spatial_batchnorm_backward__via_pixels)
] + [
    # a backward pass from scratch reading the cache the solution's forward gets from batchnorm_forward
    ("spatial_batchnorm_backward", _bwd(None, spatial_batchnorm_backward__from_scratch_for_your_forward)),
] + [
    ("layernorm_forward", _fwd(layernorm_forward__transpose_trick, layernorm_backward__for_transpose_trick)),
    ("layernorm_forward", _fwd(layernorm_forward__row_loop, layernorm_backward__staged)),
    ("layernorm_forward", _fwd(layernorm_forward__moments_float32, layernorm_backward__for_moments)),
] + [
    ("layernorm_backward", _bwd(_ln, f)) for f in (
        layernorm_backward__d_form, layernorm_backward__staged, layernorm_backward__via_transpose)
] + [
    ("instancenorm_forward", f) for f in (
        instancenorm_forward__flattened_pixels, instancenorm_forward__loops, instancenorm_forward__float32_moments)
]


def _overrides(name, impl):
    """The notebook names an implementation replaces: a pair (forward, backward) replaces both
    (None keeps the solution's)."""
    if isinstance(impl, tuple):
        layer = name.rsplit("_", 1)[0]
        pair = dict(zip((f"{layer}_forward", f"{layer}_backward"), impl))
        return {n: f for n, f in pair.items() if f is not None}
    return {name: impl}


def _label(impl):
    """The name of the implementation under test: in a pair, the one that is not the solution's
    and not a helper (names starting with "_")."""
    if not isinstance(impl, tuple):
        return impl.__name__
    forward, backward = impl
    if backward is not None and (forward is None or forward.__name__.startswith("_")):
        return backward.__name__
    return forward.__name__


@pytest.fixture(autouse=True)
def _fresh_global_state():
    _GLOBAL.clear()
    yield
    _GLOBAL.clear()


def test_every_function_has_enough_mutants():
    functions = {"batchnorm_forward", "batchnorm_backward", "spatial_batchnorm_forward",
                 "spatial_batchnorm_backward", "layernorm_forward", "layernorm_backward", "instancenorm_forward"}
    for function in functions:
        assert sum(n == function for n, _ in WRONG) >= 8, function
        assert sum(n == function for n, _ in RIGHT) >= 3, function


def test_visible_tests_catch_the_most_common_mistakes():
    """The visible (hand-checkable) tests alone already catch the classic mistakes."""
    classic = {
        "batchnorm_forward": [batchnorm_forward__unbiased_variance, batchnorm_forward__stats_per_sample,
                              batchnorm_forward__momentum_swapped, batchnorm_forward__test_mode_uses_batch_stats,
                              batchnorm_forward__test_mode_shallow_copy, batchnorm_forward__delegates_inside],
        "batchnorm_backward": [(_bn_forward_cached, batchnorm_backward__constant_statistics),
                               (_bn_forward_cached, batchnorm_backward__no_variance_path),
                               (_bn_forward_cached, batchnorm_backward__dbeta_mean)],
        "spatial_batchnorm_forward": [spatial_batchnorm_forward__stats_per_position,
                                      spatial_batchnorm_forward__reshape_without_transpose],
        "spatial_batchnorm_backward": [(_spatial_forward_cached, spatial_batchnorm_backward__means_over_batch_only)],
        "layernorm_forward": [layernorm_forward__stats_over_batch, layernorm_forward__unbiased_variance],
        "layernorm_backward": [(_ln, layernorm_backward__means_over_batch),
                               (_ln, layernorm_backward__constant_statistics)],
        "instancenorm_forward": [instancenorm_forward__stats_per_sample,
                                 instancenorm_forward__stats_per_channel_over_batch],
    }
    visible = visible_tests(CHAPTER)
    for function, impls in classic.items():
        for impl in impls:
            caught = False
            for source in visible[function]:
                namespace = {"__name__": "__main__", **_overrides(function, impl)}
                try:
                    exec(compile(source, "<visible test>", "exec"), namespace)
                except AssertionError:
                    caught = True
            assert caught, f"the visible tests of {function} do not catch {_label(impl)}"


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT, overrides=_overrides, label=_label,
                                                 spill=SPILL)
