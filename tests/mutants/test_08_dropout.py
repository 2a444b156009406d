"""Mutant tests of chapter 08_dropout: realistic wrong implementations of the exercises must
lose points, differently written correct ones must earn every point."""
import numpy as np
import pytest

from nntrain.layers import dropout_backward as _lib_dropout_backward
from nntrain.layers import dropout_forward as _lib_dropout_forward
from tests.harness import mutant_tests, run_tests

CHAPTER = "08_dropout"


# =========================================================================== dropout_forward
# ----------------------------------------------------------------------------- wrong ones

def dropout_forward__keeps_with_probability_p(x, p, rng, train=True, inverted=True):
    # p read as the keep probability when drawing the mask
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) < p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__divides_by_p(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / p if inverted else x * mask), mask


def dropout_forward__p_as_keep_everywhere(x, p, rng, train=True, inverted=True):
    # CS231n convention (p = keep probability) applied consistently: wrong for this book
    if not train:
        return (x.copy() if inverted else x * p), np.ones_like(x)
    mask = (rng.random(x.shape) < p).astype(float)
    return (x * mask / p if inverted else x * mask), mask


def dropout_forward__no_rescale_when_inverted(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask, mask


def dropout_forward__ignores_inverted(x, p, rng, train=True, inverted=True):
    if not train:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask / (1 - p), mask


def dropout_forward__plain_train_rescaled(x, p, rng, train=True, inverted=True):
    # rescales in train mode in both forms, and also at test time for plain dropout
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask / (1 - p), mask


def dropout_forward__lecture_test_factor_p(x, p, rng, train=True, inverted=True):
    # the lecture's "scale by p" at test time
    if not train:
        return (x.copy() if inverted else x * p), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__test_plain_unscaled(x, p, rng, train=True, inverted=True):
    if not train:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__test_inverted_rescaled(x, p, rng, train=True, inverted=True):
    # rescales at test time in inverted mode as well
    if not train:
        return x * (1 - p), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__ignores_train(x, p, rng, train=True, inverted=True):
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__test_returns_x_itself(x, p, rng, train=True, inverted=True):
    if not train:
        return (x if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__bool_mask(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__scaled_mask(x, p, rng, train=True, inverted=True):
    # CS231n assignment style: the stored mask already holds 1 / (1 - p)
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p) / (1 - p) if inverted else (rng.random(x.shape) >= p) * 1.0
    return x * mask, mask


def dropout_forward__fixed_count_per_row(x, p, rng, train=True, inverted=True):
    # drops exactly round(p * D) units in every row (not independent)
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    flat = np.atleast_2d(x).reshape(-1, x.shape[-1])
    mask = np.ones_like(flat, dtype=float)
    n_drop = int(round(p * flat.shape[1]))
    for row in mask:
        row[rng.permutation(flat.shape[1])[:n_drop]] = 0.0
    mask = mask.reshape(x.shape)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__fixed_total_count(x, p, rng, train=True, inverted=True):
    # drops exactly round(p * x.size) units, chosen at random
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = np.ones(x.size)
    mask[rng.choice(x.size, size=int(round(p * x.size)), replace=False)] = 0.0
    mask = mask.reshape(x.shape)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__one_mask_for_all_rows(x, p, rng, train=True, inverted=True):
    # the same units dropped for every sample of the batch
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = np.broadcast_to((rng.random(x.shape[-1]) >= p).astype(float), x.shape).copy()
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__one_coin_per_row(x, p, rng, train=True, inverted=True):
    # a whole sample is kept or dropped
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = np.ones_like(x, dtype=float) * (rng.random((x.shape[0],) + (1,) * (x.ndim - 1)) >= p)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__pairs_dropped_together(x, p, rng, train=True, inverted=True):
    # neighbouring units share their coin flip
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    coins = rng.random((x.size + 1) // 2) >= p
    mask = np.repeat(coins, 2)[:x.size].reshape(x.shape).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__global_numpy_random(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (np.random.rand(*x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__fresh_generator(x, p, rng, train=True, inverted=True):
    rng = np.random.default_rng()
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__fixed_seed(x, p, rng, train=True, inverted=True):
    rng = np.random.default_rng(0)
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


_CACHED = {}


def dropout_forward__mask_cached(x, p, rng, train=True, inverted=True):
    # draws the mask once per shape and reuses it
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    key = (x.shape, p)
    if key not in _CACHED:
        _CACHED[key] = (rng.random(x.shape) >= p).astype(float)
    mask = _CACHED[key]
    return (x * mask / (1 - p) if inverted else x * mask), mask.copy()


def dropout_forward__out_from_second_draw(x, p, rng, train=True, inverted=True):
    # out and the returned mask come from two different draws
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    used = (rng.random(x.shape) >= p).astype(float)
    return (x * used / (1 - p) if inverted else x * used), mask


def dropout_forward__divides_by_kept_fraction(x, p, rng, train=True, inverted=True):
    # rescales by the observed fraction instead of 1 - p
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / mask.mean() if inverted else x * mask), mask


def dropout_forward__2d_only(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones((x.shape[0], x.shape[1]))
    mask = (rng.random((x.shape[0], x.shape[1])) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__returns_mask_out(x, p, rng, train=True, inverted=True):
    if not train:
        return np.ones_like(x), (x.copy() if inverted else x * (1 - p))
    mask = (rng.random(x.shape) >= p).astype(float)
    return mask, (x * mask / (1 - p) if inverted else x * mask)


def dropout_forward__in_place(x, p, rng, train=True, inverted=True):
    if not train:
        if not inverted:
            x *= 1 - p
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    x *= mask
    if inverted:
        x /= 1 - p
    return x.copy(), mask


def dropout_forward__test_mask_random(x, p, rng, train=True, inverted=True):
    # test mode returns a random mask instead of all ones
    mask = (rng.random(x.shape) >= p).astype(float)
    if not train:
        return (x.copy() if inverted else x * (1 - p)), mask
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__test_returns_asarray(x, p, rng, train=True, inverted=True):
    # np.asarray(x) of an array is x itself: no copy at test time
    if not train:
        return (np.asarray(x) if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__test_mask_bool(x, p, rng, train=True, inverted=True):
    # the test-time mask is boolean instead of float
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones(x.shape, dtype=bool)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__int_mask(x, p, rng, train=True, inverted=True):
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones(x.shape, dtype=int)
    mask = (rng.random(x.shape) >= p).astype(int)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__default_test_mode(x, p, rng, train=False, inverted=True):
    # train defaults to False
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__default_plain(x, p, rng, train=True, inverted=False):
    # inverted defaults to False
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__mask_of_len_x(x, p, rng, train=True, inverted=True):
    # one draw per len(x): written for a vector, broadcast wrongly (or failing) on a batch
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    mask = (rng.random(len(x)) >= p).astype(float)
    mask = np.broadcast_to(mask.reshape((-1,) + (1,) * (x.ndim - 1)), x.shape).copy()
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__fixed_count_per_row_random_total(x, p, rng, train=True, inverted=True):
    # draws one Binomial count for the whole batch and drops that many units in EVERY row
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones_like(x)
    flat = x.reshape(-1, x.shape[-1])
    d = flat.shape[1]
    n_drop = rng.binomial(d, p)
    mask = np.ones(flat.shape)
    for row in mask:
        row[rng.permutation(d)[:n_drop]] = 0.0
    mask = mask.reshape(x.shape)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__delegates_top_level(x, p, rng, train=True, inverted=True):
    return _lib_dropout_forward(x, p, rng, train=train, inverted=inverted)


def dropout_forward__delegates_inside(x, p, rng, train=True, inverted=True):
    from nntrain import layers
    return layers.dropout_forward(x, p, rng, train, inverted)


# ----------------------------------------------------------------------------- right ones

def dropout_forward__less_than_keep(x, p, rng, train=True, inverted=True):
    x = np.asarray(x, dtype=float)
    if train:
        mask = np.where(rng.random(x.shape) < 1 - p, 1.0, 0.0)
        out = x * mask
        if inverted:
            out = out / (1 - p)
    else:
        mask = np.ones(x.shape)
        out = x.copy() if inverted else x * (1 - p)
    return out, mask


def dropout_forward__binomial(x, p, rng, train=True, inverted=True):
    keep = 1 - p
    if not train:
        return (np.array(x, copy=True) if inverted else keep * x), np.ones_like(x, dtype=float)
    mask = rng.binomial(1, keep, size=x.shape).astype(np.float64)
    scale = 1 / keep if inverted else 1.0
    return (mask * scale) * x, mask


def dropout_forward__float32_preserving(x, p, rng, train=True, inverted=True):
    dtype = x.dtype
    keep = dtype.type(1 - p)
    if not train:
        return (x + 0 if inverted else x * keep), np.ones(x.shape, dtype=dtype)
    mask = (rng.random(x.shape, dtype=np.float32 if dtype == np.float32 else np.float64) > p).astype(dtype)
    return (np.where(mask == 1, x / keep, dtype.type(0)) if inverted else x * mask), mask


def dropout_forward__loop(x, p, rng, train=True, inverted=True):
    mask = np.ones(x.shape)
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape):
        if train:
            mask[idx] = 1.0 if rng.uniform() >= p else 0.0
            out[idx] = x[idx] * mask[idx] / (1 - p) if inverted else x[idx] * mask[idx]
        else:
            out[idx] = x[idx] if inverted else x[idx] * (1 - p)
    return [out, mask]


def dropout_forward__choice(x, p, rng, train=True, inverted=True):
    if train:
        mask = rng.choice([0.0, 1.0], size=x.shape, p=[p, 1 - p])
        factor = 1.0 / (1.0 - p) if inverted else 1.0
        return factor * mask * x, mask
    return (np.copy(x) if inverted else np.multiply(x, 1 - p)), np.ones(np.shape(x))


def dropout_forward__uniform_greater(x, p, rng, train=True, inverted=True):
    if train:
        u = rng.uniform(0.0, 1.0, size=np.shape(x))
        mask = (u > p) * 1.0
        out = np.where(mask > 0, x, 0.0)
        return (out / (1 - p) if inverted else out), mask
    return (x * 1.0 if inverted else x - p * x), np.ones_like(x) * 1.0


def dropout_forward__fortran_order(x, p, rng, train=True, inverted=True):
    # draws the uniforms in the transposed order (another RNG call order)
    if not train:
        return (np.copy(x) if inverted else (1 - p) * x), np.ones(x.shape)
    mask = (rng.random(x.shape[::-1]).T >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__count_then_positions(x, p, rng, train=True, inverted=True):
    # a Binomial(N, 1 - p) number of kept units at uniformly random positions: the same
    # distribution as N independent coin flips, drawn in a different way
    if not train:
        return (np.copy(x) if inverted else (1 - p) * x), np.ones(x.shape)
    n_keep = rng.binomial(x.size, 1 - p)
    mask = np.zeros(x.size)
    mask[rng.choice(x.size, size=n_keep, replace=False)] = 1.0
    mask = mask.reshape(x.shape)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__child_generator(x, p, rng, train=True, inverted=True):
    # a child generator seeded from rng: still rng and nothing else
    child = np.random.default_rng(rng.integers(2**63))
    if not train:
        return (x.copy() if inverted else x * (1 - p)), np.ones(x.shape)
    mask = (child.random(x.shape) >= p).astype(float)
    return (x * mask / (1 - p) if inverted else x * mask), mask


def dropout_forward__float64_always(x, p, rng, train=True, inverted=True):
    x = np.array(x, dtype=np.float64)          # a new float64 array: the result is float64
    mask = np.ones(x.shape)
    if train:
        mask[rng.random(x.shape) < p] = 0.0
        x *= mask
        if inverted:
            x /= 1 - p
    elif not inverted:
        x *= 1 - p
    return x, mask


# =========================================================================== dropout_backward
# ----------------------------------------------------------------------------- wrong ones

def dropout_backward__divides_by_p(dout, mask, p, inverted=True):
    return dout * mask / p if inverted else dout * mask


def dropout_backward__no_rescale(dout, mask, p, inverted=True):
    # CS231n style: assumes the mask already holds the factor
    return dout * mask


def dropout_backward__always_rescaled(dout, mask, p, inverted=True):
    return dout * mask / (1 - p)


def dropout_backward__ignores_mask(dout, mask, p, inverted=True):
    return dout / (1 - p) if inverted else dout.copy()


def dropout_backward__inverted_mask(dout, mask, p, inverted=True):
    dx = dout * (1 - mask)
    return dx / (1 - p) if inverted else dx


def dropout_backward__multiplies_by_keep(dout, mask, p, inverted=True):
    return dout * mask * (1 - p) if inverted else dout * mask


def dropout_backward__plain_scaled_by_keep(dout, mask, p, inverted=True):
    return dout * mask / (1 - p) if inverted else dout * mask * (1 - p)


def dropout_backward__in_place(dout, mask, p, inverted=True):
    dout *= mask
    if inverted:
        dout /= 1 - p
    return dout


def dropout_backward__divides_by_kept_fraction(dout, mask, p, inverted=True):
    return dout * mask / mask.mean() if inverted else dout * mask


def dropout_backward__returns_tuple(dout, mask, p, inverted=True):
    return dout * mask / (1 - p) if inverted else dout * mask, None


def dropout_backward__2d_only(dout, mask, p, inverted=True):
    dx = np.zeros((dout.shape[0], dout.shape[1]))
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dx[i, j] = dout[i, j] * mask[i, j]
    return dx / (1 - p) if inverted else dx


def dropout_backward__default_plain(dout, mask, p, inverted=False):
    return dout * mask / (1 - p) if inverted else dout * mask


def dropout_backward__delegates_top_level(dout, mask, p, inverted=True):
    return _lib_dropout_backward(dout, mask, p, inverted=inverted)


def dropout_backward__delegates_inside(dout, mask, p, inverted=True):
    from nntrain.layers import dropout_backward as backward
    return backward(dout, mask, p, inverted)


# ----------------------------------------------------------------------------- right ones

def dropout_backward__where(dout, mask, p, inverted=True):
    scale = 1.0 / (1.0 - p) if inverted else 1.0
    return np.where(mask == 1, dout * scale, 0.0)


def dropout_backward__float32_preserving(dout, mask, p, inverted=True):
    factor = np.asarray(1 / (1 - p) if inverted else 1, dtype=dout.dtype)
    return (dout * mask.astype(dout.dtype)) * factor


def dropout_backward__loop(dout, mask, p, inverted=True):
    dx = np.zeros(np.shape(dout))
    for idx in np.ndindex(*np.shape(dout)):
        if mask[idx]:
            dx[idx] = dout[idx] / (1 - p) if inverted else dout[idx]
    return dx


def dropout_backward__multiply_order(dout, mask, p, inverted=True):
    keep = 1 - p
    return mask * (dout / keep) if inverted else np.multiply(mask, dout)


def dropout_backward__float64_always(dout, mask, p, inverted=True):
    dx = np.array(dout, dtype=np.float64) * np.asarray(mask, dtype=np.float64)
    if inverted:
        dx /= 1 - p
    return dx


# =========================================================================== the tests

WRONG = [("dropout_forward", f) for f in (
    dropout_forward__keeps_with_probability_p,
    dropout_forward__divides_by_p,
    dropout_forward__p_as_keep_everywhere,
    dropout_forward__no_rescale_when_inverted,
    dropout_forward__ignores_inverted,
    dropout_forward__plain_train_rescaled,
    dropout_forward__lecture_test_factor_p,
    dropout_forward__test_plain_unscaled,
    dropout_forward__test_inverted_rescaled,
    dropout_forward__ignores_train,
    dropout_forward__test_returns_x_itself,
    dropout_forward__bool_mask,
    dropout_forward__scaled_mask,
    dropout_forward__fixed_count_per_row,
    dropout_forward__fixed_total_count,
    dropout_forward__one_mask_for_all_rows,
    dropout_forward__one_coin_per_row,
    dropout_forward__pairs_dropped_together,
    dropout_forward__global_numpy_random,
    dropout_forward__fresh_generator,
    dropout_forward__fixed_seed,
    dropout_forward__mask_cached,
    dropout_forward__out_from_second_draw,
    dropout_forward__divides_by_kept_fraction,
    dropout_forward__2d_only,
    dropout_forward__returns_mask_out,
    dropout_forward__in_place,
    dropout_forward__test_mask_random,
    dropout_forward__test_returns_asarray,
    dropout_forward__test_mask_bool,
    dropout_forward__int_mask,
    dropout_forward__default_test_mode,
    dropout_forward__default_plain,
    dropout_forward__mask_of_len_x,
    dropout_forward__fixed_count_per_row_random_total,
    dropout_forward__delegates_top_level,
    dropout_forward__delegates_inside,
)] + [("dropout_backward", f) for f in (
    dropout_backward__divides_by_p,
    dropout_backward__no_rescale,
    dropout_backward__always_rescaled,
    dropout_backward__ignores_mask,
    dropout_backward__inverted_mask,
    dropout_backward__multiplies_by_keep,
    dropout_backward__plain_scaled_by_keep,
    dropout_backward__in_place,
    dropout_backward__divides_by_kept_fraction,
    dropout_backward__returns_tuple,
    dropout_backward__2d_only,
    dropout_backward__default_plain,
    dropout_backward__delegates_top_level,
    dropout_backward__delegates_inside,
)]

RIGHT = [("dropout_forward", f) for f in (
    dropout_forward__less_than_keep,
    dropout_forward__binomial,
    dropout_forward__float32_preserving,
    dropout_forward__loop,
    dropout_forward__choice,
    dropout_forward__uniform_greater,
    dropout_forward__fortran_order,
    dropout_forward__count_then_positions,
    dropout_forward__child_generator,
    dropout_forward__float64_always,
)] + [("dropout_backward", f) for f in (
    dropout_backward__where,
    dropout_backward__float32_preserving,
    dropout_backward__loop,
    dropout_backward__multiply_order,
    dropout_backward__float64_always,
)]


@pytest.mark.parametrize("seed", range(20))
def test_statistical_checks_accept_other_random_streams(seed):
    """The statistical checks hold for any stream of random numbers, not only the seeds the
    tests happen to use: a correct implementation that draws from the generator in another
    way (here: after skipping a random number of draws) must still pass."""
    def shifted(x, p, rng, train=True, inverted=True):
        rng.random(seed * 7 + 1)
        return dropout_forward__less_than_keep(x, p, rng, train=train, inverted=inverted)

    results = run_tests(CHAPTER, {"dropout_forward": shifted}, "dropout_forward")
    failed = {g: e for g, e in results.items() if e is not None}
    assert not failed, failed


@pytest.fixture(autouse=True)
def _fresh_global_state():
    _CACHED.clear()
    yield


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
