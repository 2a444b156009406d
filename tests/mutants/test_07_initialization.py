"""The graded tests of chapter 07_initialization catch realistic mistakes and accept correct variants.

Each WRONG implementation must fail at least one test cell of its function; each RIGHT one
(written differently from the notebook's solution, and drawing its random numbers differently)
must pass all of them.
"""
import copy
import math
from statistics import NormalDist

import numpy as np
import pytest

from nntrain.init import gaussian_init as _lib_gaussian_init
from nntrain.init import he_init as _lib_he_init
from nntrain.init import layer_stats as _lib_layer_stats
from nntrain.init import scaled_init as _lib_scaled_init
from nntrain.init import truncated_normal_init as _lib_truncated_normal_init
from tests.harness import mutant_tests, rebound

CHAPTER = "07_initialization"


def _truncated(fan_in, fan_out, rng, std, cut=2.0):
    """A correct redraw loop with a chosen cut-off, for the mutants to build on."""
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > cut * std
    while outside.any():
        W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(W) > cut * std
    return W


# ======================================================================== gaussian_init: wrong

def gaussian_init__transposed(fan_in, fan_out, rng, std=0.01):
    return rng.normal(0.0, std, size=(fan_out, fan_in))


def gaussian_init__std_as_variance(fan_in, fan_out, rng, std=0.01):
    return rng.normal(0.0, np.sqrt(std), size=(fan_in, fan_out))


def gaussian_init__squares_std(fan_in, fan_out, rng, std=0.01):
    return rng.normal(0.0, std ** 2, size=(fan_in, fan_out))


def gaussian_init__ignores_std(fan_in, fan_out, rng, std=0.01):
    return rng.normal(0.0, 0.01, size=(fan_in, fan_out))


def gaussian_init__unscaled(fan_in, fan_out, rng, std=0.01):
    return rng.standard_normal((fan_in, fan_out))


def gaussian_init__uniform_same_variance(fan_in, fan_out, rng, std=0.01):
    a = np.sqrt(3.0) * std
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def gaussian_init__uniform_plus_minus_std(fan_in, fan_out, rng, std=0.01):
    return rng.uniform(-std, std, size=(fan_in, fan_out))


def gaussian_init__clipped(fan_in, fan_out, rng, std=0.01):
    return np.clip(rng.normal(0.0, std, size=(fan_in, fan_out)), -2 * std, 2 * std)


def gaussian_init__positive_only(fan_in, fan_out, rng, std=0.01):
    return np.abs(rng.normal(0.0, std, size=(fan_in, fan_out)))


def gaussian_init__mean_std(fan_in, fan_out, rng, std=0.01):
    return rng.normal(std, std, size=(fan_in, fan_out))


def gaussian_init__one_row_repeated(fan_in, fan_out, rng, std=0.01):
    return np.tile(rng.normal(0.0, std, size=fan_out), (fan_in, 1))


def gaussian_init__laplace(fan_in, fan_out, rng, std=0.01):
    return rng.laplace(0.0, std / np.sqrt(2.0), size=(fan_in, fan_out))


def gaussian_init__global_numpy(fan_in, fan_out, rng, std=0.01):
    return std * np.random.randn(fan_in, fan_out)


def gaussian_init__fixed_seed(fan_in, fan_out, rng, std=0.01):
    return np.random.default_rng(0).normal(0.0, std, size=(fan_in, fan_out))


def gaussian_init__new_generator(fan_in, fan_out, rng, std=0.01):
    return np.random.default_rng().normal(0.0, std, size=(fan_in, fan_out))


def gaussian_init__copy_of_rng(fan_in, fan_out, rng, std=0.01):
    return copy.deepcopy(rng).normal(0.0, std, size=(fan_in, fan_out))


def gaussian_init__delegates_top_level(fan_in, fan_out, rng, std=0.01):
    return _lib_gaussian_init(fan_in, fan_out, rng, std=std)


def gaussian_init__delegates_inside(fan_in, fan_out, rng, std=0.01):
    from nntrain import init
    return init.gaussian_init(fan_in, fan_out, rng, std)


def gaussian_init__via_mlp(fan_in, fan_out, rng, std=0.01):
    from nntrain.model import MLP
    return MLP([fan_in, fan_out], rng, init=float(std)).params["W1"]


def gaussian_init__default_std_one(fan_in, fan_out, rng, std=1.0):
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def gaussian_init__keyword_only_std(fan_in, fan_out, rng, *, std=0.01):
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def gaussian_init__seeds_global_numpy(fan_in, fan_out, rng, std=0.01):
    np.random.seed(0)
    return std * np.random.standard_normal((fan_in, fan_out))


# ======================================================================== gaussian_init: right

def gaussian_init__scaled_standard_normal(fan_in, fan_out, rng, std=0.01):
    return std * rng.standard_normal((fan_in, fan_out))


def gaussian_init__box_muller(fan_in, fan_out, rng, std=0.01):
    u1 = 1.0 - rng.random((fan_in, fan_out))            # in (0, 1]
    u2 = rng.random((fan_in, fan_out))
    return std * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def gaussian_init__column_by_column(fan_in, fan_out, rng, std=0.01):
    return np.column_stack([rng.normal(0.0, std, size=fan_in) for _ in range(fan_out)])


def gaussian_init__float32(fan_in, fan_out, rng, std=0.01):
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.float32(std)


def gaussian_init__flat_then_reshape(fan_in, fan_out, rng, std=0.01):
    return rng.normal(loc=0, scale=std, size=fan_in * fan_out).reshape(fan_in, fan_out)


def gaussian_init__derived_generator(fan_in, fan_out, rng, std=0.01):
    child = np.random.default_rng(rng.integers(2 ** 63))
    return child.normal(0.0, std, (fan_in, fan_out))


# ======================================================================== truncated_normal_init: wrong

def truncated_normal_init__clipped(fan_in, fan_out, rng, std=0.01):
    return np.clip(rng.normal(0.0, std, size=(fan_in, fan_out)), -2 * std, 2 * std)


def truncated_normal_init__cut_at_one_std(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, rng, std, cut=1.0)


def truncated_normal_init__cut_at_three_std(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, rng, std, cut=3.0)


def truncated_normal_init__cut_at_1_96_std(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, rng, std, cut=1.96)


def truncated_normal_init__one_redraw_only(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2 * std
    W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
    return W


def truncated_normal_init__one_redraw_then_clip(fan_in, fan_out, rng, std=0.01):
    W = truncated_normal_init__one_redraw_only(fan_in, fan_out, rng, std)
    return np.clip(W, -2 * std, 2 * std)


def truncated_normal_init__outside_set_to_zero(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    W[np.abs(W) > 2 * std] = 0.0
    return W


def truncated_normal_init__outside_uniform(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2 * std
    W[outside] = rng.uniform(-2 * std, 2 * std, size=int(outside.sum()))
    return W


def truncated_normal_init__outside_halved(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    while np.any(np.abs(W) > 2 * std):
        W = np.where(np.abs(W) > 2 * std, W / 2, W)
    return W


def truncated_normal_init__redraw_with_half_std(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2 * std
    while outside.any():
        W[outside] = rng.normal(0.0, std / 2, size=int(outside.sum()))
        outside = np.abs(W) > 2 * std
    return W


def truncated_normal_init__rescaled_to_std(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, rng, std) / 0.8796


def truncated_normal_init__ignores_std(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, rng, 0.01)


def truncated_normal_init__absolute_bound_2(fan_in, fan_out, rng, std=0.01):
    # torch.nn.init.trunc_normal_(w, std=std) with its default a=-2, b=2
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2
    while outside.any():
        W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(W) > 2
    return W


def truncated_normal_init__forgets_abs(fan_in, fan_out, rng, std=0.01):
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = W > 2 * std
    while outside.any():
        W[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = W > 2 * std
    return W


def truncated_normal_init__uniform(fan_in, fan_out, rng, std=0.01):
    return rng.uniform(-2 * std, 2 * std, size=(fan_in, fan_out))


def truncated_normal_init__transposed(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_out, fan_in, rng, std)


def truncated_normal_init__fills_with_copies(fan_in, fan_out, rng, std=0.01):
    draws = rng.normal(0.0, std, size=fan_in * fan_out)
    kept = draws[np.abs(draws) <= 2 * std]
    return np.resize(kept, (fan_in, fan_out))       # repeats the first kept values to fill up


def truncated_normal_init__global_numpy(fan_in, fan_out, rng, std=0.01):
    W = std * np.random.randn(fan_in, fan_out)
    outside = np.abs(W) > 2 * std
    while outside.any():
        W[outside] = std * np.random.randn(int(outside.sum()))
        outside = np.abs(W) > 2 * std
    return W


def truncated_normal_init__fixed_seed(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, np.random.default_rng(42), std)


def truncated_normal_init__delegates_top_level(fan_in, fan_out, rng, std=0.01):
    return _lib_truncated_normal_init(fan_in, fan_out, rng, std=std)


def truncated_normal_init__delegates_inside(fan_in, fan_out, rng, std=0.01):
    from nntrain.init import initialize
    return initialize("truncated", fan_in, fan_out, rng, std=std)


def truncated_normal_init__clips_library_gaussian(fan_in, fan_out, rng, std=0.01):
    from nntrain.init import gaussian_init
    return np.clip(gaussian_init(fan_in, fan_out, rng, std=std), -2 * std, 2 * std)


def truncated_normal_init__copy_of_rng(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, copy.deepcopy(rng), std)


def truncated_normal_init__new_generator(fan_in, fan_out, rng, std=0.01):
    return _truncated(fan_in, fan_out, np.random.default_rng(), std)


def truncated_normal_init__redraws_all_from_uniform_bits(fan_in, fan_out, rng, std=0.01):
    # the "redraw" takes uniform numbers on the interval: the wrong distribution inside
    W = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(W) > 2 * std
    W[outside] = rng.uniform(-std, std, size=int(outside.sum()))
    return W


# ======================================================================== truncated_normal_init: right

def truncated_normal_init__scaled_standard_normal(fan_in, fan_out, rng, std=0.01):
    Z = rng.standard_normal((fan_in, fan_out))
    while True:
        bad = np.flatnonzero(np.abs(Z) > 2)
        if bad.size == 0:
            return std * Z
        Z.flat[bad] = rng.standard_normal(bad.size)


def truncated_normal_init__oversample_and_select(fan_in, fan_out, rng, std=0.01):
    n = fan_in * fan_out
    kept = np.empty(0)
    while kept.size < n:
        draws = rng.normal(0.0, std, size=int(1.1 * n) + 10)
        kept = np.concatenate([kept, draws[np.abs(draws) <= 2 * std]])
    return kept[:n].reshape(fan_in, fan_out)


_inv_cdf = np.vectorize(NormalDist().inv_cdf)


def truncated_normal_init__inverse_cdf(fan_in, fan_out, rng, std=0.01):
    lo, hi = NormalDist().cdf(-2.0), NormalDist().cdf(2.0)
    u = rng.uniform(lo, hi, size=(fan_in, fan_out))
    return std * _inv_cdf(u)


def truncated_normal_init__column_loops(fan_in, fan_out, rng, std=0.01):
    columns = []
    for _ in range(fan_out):
        col = rng.normal(0.0, std, size=fan_in)
        while True:
            bad = np.abs(col) > 2 * std
            if not bad.any():
                break
            col = np.where(bad, rng.normal(0.0, std, size=fan_in), col)
        columns.append(col)
    return np.stack(columns, axis=1)


def truncated_normal_init__float32(fan_in, fan_out, rng, std=0.01):
    s = np.float32(std)
    W = rng.standard_normal((fan_in, fan_out), dtype=np.float32) * s
    outside = np.abs(W) > 2 * s
    while outside.any():
        W[outside] = rng.standard_normal(int(outside.sum()), dtype=np.float32) * s
        outside = np.abs(W) > 2 * s
    return W


def truncated_normal_init__random_sign_half_normal(fan_in, fan_out, rng, std=0.01):
    a = np.abs(_truncated(fan_in, fan_out, rng, std))
    return a * rng.choice([-1.0, 1.0], size=a.shape)


# ======================================================================== scaled_init: wrong

def scaled_init__fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / np.sqrt(fan_out), size=(fan_in, fan_out))


def scaled_init__std_one_over_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / fan_in, size=(fan_in, fan_out))


def scaled_init__variance_one_over_sqrt_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / np.sqrt(fan_in)), size=(fan_in, fan_out))


def scaled_init__he_factor(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def scaled_init__xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


def scaled_init__transposed(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / np.sqrt(fan_in), size=(fan_out, fan_in))


def scaled_init__uniform_same_variance(fan_in, fan_out, rng):
    a = np.sqrt(3 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def scaled_init__xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def scaled_init__pytorch_linear_default(fan_in, fan_out, rng):
    a = 1 / np.sqrt(fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def scaled_init__counts_a_bias(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / np.sqrt(fan_in + 1), size=(fan_in, fan_out))


def scaled_init__hard_coded_width(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / np.sqrt(500), size=(fan_in, fan_out))


def scaled_init__truncated(fan_in, fan_out, rng):
    return _truncated(fan_in, fan_out, rng, 1 / np.sqrt(fan_in))


def scaled_init__global_numpy(fan_in, fan_out, rng):
    return np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)


def scaled_init__fixed_seed(fan_in, fan_out, rng):
    return np.random.default_rng(7).normal(0.0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out))


def scaled_init__delegates_top_level(fan_in, fan_out, rng):
    return _lib_scaled_init(fan_in, fan_out, rng)


def scaled_init__delegates_inside(fan_in, fan_out, rng):
    from nntrain import init
    return init.scaled_init(fan_in, fan_out, rng)


def scaled_init__via_library_gaussian(fan_in, fan_out, rng):
    from nntrain.init import gaussian_init
    return gaussian_init(fan_in, fan_out, rng, std=1 / np.sqrt(fan_in))


def scaled_init__via_mlp(fan_in, fan_out, rng):
    from nntrain.model import MLP
    return MLP([fan_in, fan_out], rng, init="scaled").params["W1"]


def scaled_init__copy_of_rng(fan_in, fan_out, rng):
    return copy.deepcopy(rng).normal(0.0, 1 / np.sqrt(fan_in), size=(fan_in, fan_out))


def scaled_init__laplace(fan_in, fan_out, rng):
    return rng.laplace(0.0, 1 / np.sqrt(2 * fan_in), size=(fan_in, fan_out))


# ======================================================================== scaled_init: right

def scaled_init__divide_standard_normal(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)


def scaled_init__power(fan_in, fan_out, rng):
    return rng.normal(scale=fan_in ** -0.5, size=(fan_in, fan_out))


def scaled_init__float32(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) / np.float32(math.sqrt(fan_in))


def scaled_init__column_by_column(fan_in, fan_out, rng):
    sigma = math.sqrt(1.0 / fan_in)
    return np.stack([rng.normal(0.0, sigma, size=fan_in) for _ in range(fan_out)], axis=1)


def scaled_init__box_muller(fan_in, fan_out, rng):
    u1 = 1.0 - rng.random((fan_in, fan_out))
    u2 = rng.random((fan_in, fan_out))
    return np.sqrt(-2.0 * np.log(u1) / fan_in) * np.sin(2.0 * np.pi * u2)


# ======================================================================== he_init: wrong

def he_init__fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


def he_init__no_factor_two(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


def he_init__two_over_sqrt_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, 2 / np.sqrt(fan_in), size=(fan_in, fan_out))


def he_init__sqrt_two_over_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2) / fan_in, size=(fan_in, fan_out))


def he_init__variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2 / fan_in, size=(fan_in, fan_out))


def he_init__sum_of_fans(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_init__average_of_fans(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(4 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_init__transposed(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))


def he_init__uniform_same_variance(fan_in, fan_out, rng):
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def he_init__truncated_not_rescaled(fan_in, fan_out, rng):
    return _truncated(fan_in, fan_out, rng, np.sqrt(2 / fan_in))


def he_init__keras_truncated_rescaled(fan_in, fan_out, rng):
    return _truncated(fan_in, fan_out, rng, np.sqrt(2 / fan_in) / 0.87962566103423978)


def he_init__half_normal(fan_in, fan_out, rng):
    return np.abs(rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out)))


def he_init__global_numpy(fan_in, fan_out, rng):
    return np.random.randn(fan_in, fan_out) * np.sqrt(2 / fan_in)


def he_init__fixed_seed(fan_in, fan_out, rng):
    return np.random.default_rng(1).normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_init__delegates_top_level(fan_in, fan_out, rng):
    return _lib_he_init(fan_in, fan_out, rng)


def he_init__delegates_inside(fan_in, fan_out, rng):
    from nntrain.init import INITIALIZERS
    return INITIALIZERS["he"](fan_in, fan_out, rng)


def he_init__via_library_scaled(fan_in, fan_out, rng):
    from nntrain.init import scaled_init
    return np.sqrt(2.0) * scaled_init(fan_in, fan_out, rng)


def he_init__copy_of_rng(fan_in, fan_out, rng):
    return copy.deepcopy(rng).normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_init__new_generator(fan_in, fan_out, rng):
    return np.random.default_rng().normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_init__plus_one_bias(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / (fan_in + 1)), size=(fan_in, fan_out))


# ======================================================================== he_init: right

def he_init__multiply_standard_normal(fan_in, fan_out, rng):
    return np.sqrt(2.0 / fan_in) * rng.standard_normal(size=(fan_in, fan_out))


def he_init__sqrt2_times_lecun(fan_in, fan_out, rng):
    return math.sqrt(2) * rng.normal(0, 1 / math.sqrt(fan_in), (fan_in, fan_out))


def he_init__float32(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.float32(np.sqrt(2 / fan_in))


def he_init__row_by_row(fan_in, fan_out, rng):
    sigma = (2 / fan_in) ** 0.5
    return np.array([rng.normal(0.0, sigma, size=fan_out) for _ in range(fan_in)])


# ======================================================================== layer_stats: wrong

def layer_stats__ddof_1(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.std(ddof=1)))
    return out


def layer_stats__pre_activation(X, weights, activation):
    out, h = [], X
    for W in weights:
        z = h @ W
        out.append((z.mean(), z.std()))
        h = activation(z)
    return out


def layer_stats__includes_input(X, weights, activation):
    out, h = [(X.mean(), X.std())], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__not_chained(X, weights, activation):
    out = []
    for W in weights:
        h = activation(X @ W)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__activation_before_product(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h) @ W
        out.append((h.mean(), h.std()))
    return out


def layer_stats__no_activation_on_last_layer(X, weights, activation):
    out, h = [], X
    for i, W in enumerate(weights):
        h = h @ W
        if i < len(weights) - 1:
            h = activation(h)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__reversed(X, weights, activation):
    out, h = [], X
    for W in reversed(weights):
        h = activation(h @ W)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__std_mean_swapped(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.std(), h.mean()))
    return out


def layer_stats__variance(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.var()))
    return out


def layer_stats__rms_not_std(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), np.sqrt(np.mean(h ** 2))))
    return out


def layer_stats__mean_of_unit_stds(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.std(axis=0).mean()))
    return out


def layer_stats__mean_of_sample_stds(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.std(axis=1).mean()))
    return out


def layer_stats__per_unit_arrays(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(axis=0), h.std(axis=0)))
    return out


def layer_stats__mean_of_abs(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((np.abs(h).mean(), h.std()))
    return out


def layer_stats__always_relu(X, weights, activation):
    out, h = [], X
    for W in weights:
        h = np.maximum(h @ W, 0)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__only_last_layer(X, weights, activation):
    h = X
    for W in weights:
        h = activation(h @ W)
    return [(h.mean(), h.std())]


_history = []


def layer_stats__global_list(X, weights, activation):
    h = X
    for W in weights:
        h = activation(h @ W)
        _history.append((h.mean(), h.std()))
    return _history


def layer_stats__pops_the_weights(X, weights, activation):
    out, h = [], X
    while weights:
        h = activation(h @ weights.pop(0))
        out.append((h.mean(), h.std()))
    return out


def layer_stats__normalizes_x_in_place(X, weights, activation):
    X -= X.mean()
    out, h = [], X
    for W in weights:
        h = activation(h @ W)
        out.append((h.mean(), h.std()))
    return out


def layer_stats__float16(X, weights, activation):
    out, h = [], np.asarray(X, dtype=np.float16)
    for W in weights:
        h = activation(h @ np.asarray(W, dtype=np.float16))
        out.append((float(h.mean()), float(h.std())))
    return out


def layer_stats__delegates_top_level(X, weights, activation):
    return _lib_layer_stats(X, weights, activation)


def layer_stats__delegates_inside(X, weights, activation):
    from nntrain import init
    return init.layer_stats(X, weights, activation)


# ======================================================================== layer_stats: right

def layer_stats__moments(X, weights, activation):
    out, h = [], np.asarray(X, dtype=float)
    for W in weights:
        h = activation(h @ W)
        m = h.sum() / h.size
        out.append((m, math.sqrt(max(np.mean(h * h) - m * m, 0.0))))
    return out


def layer_stats__var_then_sqrt(X, weights, activation):
    stats = []
    h = X
    for i in range(len(weights)):
        h = activation(np.dot(h, weights[i]))
        stats.append([np.mean(h), np.sqrt(np.var(h))])
    return stats


def layer_stats__keeps_dtype(X, weights, activation):
    h = np.asarray(X)
    result = []
    for W in weights:
        h = activation(h @ np.asarray(W, dtype=h.dtype))
        result.append((h.mean(dtype=h.dtype), h.std(dtype=h.dtype)))
    return result


def layer_stats__flatten_loops(X, weights, activation):
    activations = []
    h = X
    for W in weights:
        h = activation(np.matmul(h, W))
        activations.append(h.ravel())
    return [(float(a.mean()), float(np.sqrt(((a - a.mean()) ** 2).mean()))) for a in activations]


def layer_stats__tuple_result(X, weights, activation):
    out, h = (), X
    for W in weights:
        h = activation(h @ W)
        out += ((np.float64(h.mean()), np.float64(h.std())),)
    return out


# ======================================================================== built on an earlier exercise
# The text allows scaled_init (and he_init, truncated_normal_init) to call the student's own
# gaussian_init, and he_init to call scaled_init.  These variants do; ``overrides`` gives them the
# implementation under test, as the notebook's namespace would.

def scaled_init__via_gaussian_init(fan_in, fan_out, rng):
    return gaussian_init(fan_in, fan_out, rng, std=1 / np.sqrt(fan_in))          # noqa: F821


def he_init__via_gaussian_init(fan_in, fan_out, rng):
    return gaussian_init(fan_in, fan_out, rng, np.sqrt(2.0 / fan_in))            # noqa: F821


def he_init__via_scaled_init(fan_in, fan_out, rng):
    return np.sqrt(2.0) * scaled_init(fan_in, fan_out, rng)                      # noqa: F821


def truncated_normal_init__via_gaussian_init(fan_in, fan_out, rng, std=0.01):
    W = gaussian_init(fan_in, fan_out, rng, std)                                 # noqa: F821
    outside = np.abs(W) > 2 * std
    while outside.any():
        W[outside] = gaussian_init(1, int(outside.sum()), rng, std)[0]           # noqa: F821
        outside = np.abs(W) > 2 * std
    return W


_BUILT_ON = {scaled_init__via_gaussian_init: "gaussian_init", he_init__via_gaussian_init: "gaussian_init",
             he_init__via_scaled_init: "scaled_init", truncated_normal_init__via_gaussian_init: "gaussian_init"}


def overrides(name, impl):
    """A gaussian_init (wrong or right) comes with a truncated_normal_init, a scaled_init and a
    he_init that call it, and a scaled_init with a he_init that calls it: a slip in an earlier
    exercise must cost only that exercise's points."""
    if name == "gaussian_init":
        return {"gaussian_init": impl,
                "truncated_normal_init": rebound(truncated_normal_init__via_gaussian_init, gaussian_init=impl),
                "scaled_init": rebound(scaled_init__via_gaussian_init, gaussian_init=impl),
                "he_init": rebound(he_init__via_gaussian_init, gaussian_init=impl)}
    if name == "scaled_init" and impl not in _BUILT_ON:
        return {"scaled_init": impl, "he_init": rebound(he_init__via_scaled_init, scaled_init=impl)}
    if impl in _BUILT_ON:        # a right variant built on a correct earlier exercise
        correct = {"gaussian_init": gaussian_init__scaled_standard_normal,
                   "scaled_init": scaled_init__divide_standard_normal}
        return {name: rebound(impl, **{_BUILT_ON[impl]: correct[_BUILT_ON[impl]]})}
    return {name: impl}


# ======================================================================== the lists

def _functions(prefix):
    return [f for name, f in sorted(globals().items()) if name.startswith(prefix + "__") and callable(f)]


_RIGHT_NAMES = {
    "gaussian_init": ["scaled_standard_normal", "box_muller", "column_by_column", "float32",
                      "flat_then_reshape", "derived_generator"],
    "truncated_normal_init": ["scaled_standard_normal", "oversample_and_select", "inverse_cdf",
                              "column_loops", "float32", "random_sign_half_normal", "via_gaussian_init"],
    "scaled_init": ["divide_standard_normal", "power", "float32", "column_by_column", "box_muller",
                    "via_gaussian_init"],
    "he_init": ["multiply_standard_normal", "sqrt2_times_lecun", "float32", "row_by_row",
                "via_gaussian_init", "via_scaled_init"],
    "layer_stats": ["moments", "var_then_sqrt", "keeps_dtype", "flatten_loops", "tuple_result"],
}

RIGHT = [(name, globals()[f"{name}__{variant}"]) for name, variants in _RIGHT_NAMES.items()
         for variant in variants]
_right_set = {f for _, f in RIGHT}
WRONG = [(name, f) for name in _RIGHT_NAMES for f in _functions(name) if f not in _right_set]


def test_enough_mutants():
    for name in _RIGHT_NAMES:
        assert sum(n == name for n, _ in WRONG) >= 8, name
        assert sum(n == name for n, _ in RIGHT) >= 3, name


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT, overrides=overrides)
