"""The graded tests of chapter 04_moving_averages catch realistic mistakes and accept correct variants.

Each WRONG implementation must fail a visible test of its function and no test cell of
another function; each RIGHT one (written differently from the notebook's solution) must pass
every test cell of the chapter (see tests/harness.py).  The tests of ema, ema_weights and
debiased_ema run the student's function with correct versions of the exercises it may call
(``builds_on``): a slip in ema_update costs only ema_update's points.  A few RIGHT variants
below call ``ema_update`` or ``ema`` by name: that name exists only while such a test runs them.
"""
import numpy as np
import pytest

from nntrain.ema import debiased_ema as _lib_debiased_ema
from nntrain.ema import ema as _lib_ema
from nntrain.ema import ema_update as _lib_ema_update
from nntrain.ema import ema_weights as _lib_ema_weights
from tests.harness import mutant_tests

CHAPTER = "04_moving_averages"


def _plain_ema(xs, rho, s0=0.0):
    """A correct EMA for the mutants of the other functions to build on."""
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = s0
    for t in range(len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        out[t] = s
    return out


def _time_column(values, ndim):
    """values (n,) reshaped to broadcast along the first axis of an ndim-dimensional array."""
    return np.reshape(values, (-1,) + (1,) * (ndim - 1))


# ======================================================================== ema_update: wrong

def ema_update__swapped_rho(s, x, rho):
    return (1 - rho) * s + rho * x


def ema_update__no_one_minus_rho(s, x, rho):
    return rho * s + x


def ema_update__squares_x(s, x, rho):
    return rho * s + (1 - rho) * x ** 2


def ema_update__returns_old_average(s, x, rho):
    s_next = rho * s + (1 - rho) * x  # noqa: F841 (computed, then the wrong value returned)
    return s


def ema_update__in_place(s, x, rho):
    s *= rho
    s += (1 - rho) * x
    return s


def ema_update__ignores_rho(s, x, rho):
    return 0.9 * s + 0.1 * x


def ema_update__wrong_sign(s, x, rho):
    return rho * s - (1 - rho) * x


def ema_update__debiases_every_step(s, x, rho):
    return (rho * s + (1 - rho) * x) / (1 - rho)


def ema_update__plain_mean(s, x, rho):
    return (s + x) / 2


def ema_update__rho_inside_bracket(s, x, rho):
    return rho * (s + (1 - rho) * x)


_update_state = {}


def ema_update__keeps_its_own_state(s, x, rho):
    prev = _update_state.get("s", s)
    new = rho * prev + (1 - rho) * x
    _update_state["s"] = new
    return new


def ema_update__delegates_top_level(s, x, rho):
    return _lib_ema_update(s, x, rho)


def ema_update__delegates_inside(s, x, rho):
    from nntrain.ema import ema_update as lib
    return lib(s, x, rho)


def ema_update__delegates_via_momentum(s, x, rho):
    from nntrain.optim import momentum_step
    _, v_next = momentum_step(np.zeros_like(s), (1 - rho) * x, s, lr=1.0, rho=rho)
    return v_next


# ======================================================================== ema_update: right

def ema_update__step_towards_x(s, x, rho):
    return s + (1 - rho) * (x - s)


def ema_update__copy_then_in_place(s, x, rho):
    s_next = np.array(s, dtype=np.result_type(s, x, np.float32), copy=True)
    s_next *= rho
    s_next += (1 - rho) * np.asarray(x)
    return s_next


def ema_update__np_functions(s, x, rho):
    return np.add(np.multiply(rho, s), np.multiply(1.0 - rho, x))


def ema_update__interpolation(s, x, rho):
    return x + rho * (np.asarray(s, dtype=float) - x)


# ======================================================================== ema: wrong

def ema__returns_s0_to_s_n_minus_1(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = s0
    for t in range(len(xs)):
        out[t] = s
        s = rho * s + (1 - rho) * xs[t]
    return out


def ema__includes_s0(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = [np.broadcast_to(s0, xs.shape[1:]).astype(float)]
    for x in xs:
        out.append(rho * out[-1] + (1 - rho) * x)
    return np.array(out)


def ema__ignores_s0(xs, rho, s0=0.0):
    return _plain_ema(xs, rho, 0.0)


def ema__swapped_rho(xs, rho, s0=0.0):
    return _plain_ema(xs, 1 - rho, s0)


def ema__starts_from_first_value(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = xs[0]
    out[0] = s
    for t in range(1, len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        out[t] = s
    return out


def ema__aliases_one_array(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    s = np.zeros(xs.shape[1:]) + s0
    out = []
    for x in xs:
        s *= rho
        s += (1 - rho) * x
        out.append(s)                     # the same array every time
    return np.array(out)


def ema__only_last_value(xs, rho, s0=0.0):
    return _plain_ema(xs, rho, s0)[-1]


def ema__one_dimensional_only(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = np.zeros(len(xs))
    s = s0
    for t in range(len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        out[t] = s
    return out


def ema__time_on_last_axis(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    if xs.ndim == 1:
        return _plain_ema(xs, rho, s0)
    moved = np.moveaxis(xs, -1, 0)
    s0m = np.moveaxis(np.asarray(s0, dtype=float), -1, 0) if np.ndim(s0) else s0
    try:
        return np.moveaxis(_plain_ema(moved, rho, s0m[0] if np.ndim(s0m) else s0m), 0, -1)
    except ValueError:
        return np.moveaxis(_plain_ema(moved, rho, 0.0), 0, -1)


def ema__scalar_start_only(xs, rho, s0=0.0):
    return _plain_ema(xs, rho, float(s0))


def ema__mutates_xs(xs, rho, s0=0.0):
    s = s0
    for t in range(len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        xs[t] = s
    return xs


def ema__debiased(xs, rho, s0=0.0):
    s = _plain_ema(xs, rho, s0)
    return s / _time_column(1 - rho ** np.arange(1, len(s) + 1), s.ndim)


def ema__closed_form_off_by_one(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    t = np.arange(1, n + 1)
    W = np.tril((1 - rho) * rho ** np.clip(t[:, None] - t[None, :] + 1, 0, None))
    start = _time_column(rho ** t, xs.ndim) * np.asarray(s0, dtype=float)
    return np.tensordot(W, xs, axes=(1, 0)) + start


def ema__needs_an_ndarray(xs, rho, s0=0.0):
    out = np.empty(xs.shape)
    s = s0
    for t in range(xs.shape[0]):
        s = rho * s + (1 - rho) * xs[t]
        out[t] = s
    return out


def ema__mutates_s0(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    s = s0 if isinstance(s0, np.ndarray) else np.full(xs.shape[1:], float(s0))
    out = np.empty_like(xs)
    for t in range(len(xs)):
        s *= rho
        s += (1 - rho) * xs[t]
        out[t] = s
    return out


_ema_state = {}


def ema__continues_previous_call(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    start = _ema_state.get("last", s0)
    if np.shape(start) not in ((), xs.shape[1:]):
        start = s0
    out = _plain_ema(xs, rho, start)
    _ema_state["last"] = out[-1]
    return out


def ema__delegates_top_level(xs, rho, s0=0.0):
    return _lib_ema(xs, rho, s0)


def ema__delegates_inside(xs, rho, s0=0.0):
    import nntrain.ema
    return nntrain.ema.ema(xs, rho, s0=s0)


def ema__delegates_to_library_update(xs, rho, s0=0.0):
    from nntrain.ema import ema_update as lib_update
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = np.broadcast_to(np.asarray(s0, dtype=float), xs.shape[1:])
    for t in range(len(xs)):
        s = lib_update(s, xs[t], rho)
        out[t] = s
    return out


def ema__previous_row_of_output(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = np.zeros_like(xs)
    for t in range(len(xs)):
        out[t] = rho * out[t - 1] + (1 - rho) * xs[t]     # out[-1] (= 0) instead of s0 at t = 0
    return out


def ema__always_float32(xs, rho, s0=0.0):
    return _plain_ema(np.asarray(xs, dtype=np.float32), np.float32(rho), np.float32(s0) if np.ndim(s0) == 0
                      else np.asarray(s0, dtype=np.float32)).astype(np.float32)


def ema__start_not_broadcast(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = np.array(s0, dtype=float)          # a copy, but a number stays 0-d: fails for a 2-D xs
    for t in range(len(xs)):
        s *= rho
        s += (1 - rho) * xs[t]
        out[t] = s
    return out


def ema__every_step_from_s0(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    return rho * np.asarray(s0, dtype=float) + (1 - rho) * xs      # one step from s0 for every t


def ema__adds_s0_undecayed(xs, rho, s0=0.0):
    return _plain_ema(xs, rho) + np.asarray(s0, dtype=float)         # s0 should carry rho**t


def ema__flattens(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    flat = _plain_ema(xs.reshape(-1), rho, float(np.ravel(s0)[0]))  # one long sequence of all entries
    return flat.reshape(xs.shape)


def ema__s0_first_entry_only(xs, rho, s0=0.0):
    return _plain_ema(xs, rho, np.ravel(np.asarray(s0, dtype=float))[0])


# ======================================================================== ema: right

def ema__list_and_stack(xs, rho, s0=0.0):
    s = np.asarray(s0, dtype=float)
    out = []
    for x in np.asarray(xs, dtype=float):
        s = s + (1 - rho) * (x - s)
        out.append(np.broadcast_to(s, x.shape))
    return np.stack(out)


def ema__weight_matrix(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    t = np.arange(1, n + 1)
    age = t[:, None] - t[None, :]
    W = np.where(age >= 0, (1 - rho) * float(rho) ** np.maximum(age, 0), 0.0)
    flat = xs.reshape(n, -1)
    start = (float(rho) ** t)[:, None] * np.broadcast_to(np.asarray(s0, dtype=float), xs.shape[1:]).reshape(1, -1)
    return (W @ flat + start).reshape(xs.shape)


def ema__keeps_float32(xs, rho, s0=0.0):
    xs = np.asarray(xs)
    dtype = np.result_type(xs.dtype, np.float32)
    out = np.empty(xs.shape, dtype=dtype)
    s = np.empty(xs.shape[1:], dtype=dtype)
    s[...] = s0
    for t in range(xs.shape[0]):
        s = dtype.type(rho) * s + dtype.type(1 - rho) * xs[t]
        out[t] = s
    return out


def ema__indexing_with_s_minus_one(xs, rho, s0=0.0):
    xs = np.array(xs, dtype=np.float64)
    s = np.zeros((len(xs) + 1,) + xs.shape[1:])
    s[0] = s0
    for t in range(1, len(xs) + 1):
        s[t] = rho * s[t - 1] + (1 - rho) * xs[t - 1]
    return s[1:]


def ema__in_place_on_a_fresh_start(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    s = np.zeros(xs.shape[1:]) + s0        # a new array: updating it in place is fine
    out = np.empty_like(xs)
    for t in range(len(xs)):
        s *= rho
        s += (1 - rho) * xs[t]
        out[t] = s
    return out


def ema__cumulative_closed_form(xs, rho, s0=0.0):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    t = _time_column(np.arange(1, n + 1), xs.ndim)
    out = np.empty_like(xs)
    for k in range(n):                     # s_k = rho^k s0 + sum_i (1 - rho) rho^(k-i) x_i
        ages = _time_column(np.arange(k, -1, -1), xs.ndim)
        out[k] = float(rho) ** t[k] * np.asarray(s0, dtype=float) + np.sum((1 - rho) * float(rho) ** ages * xs[:k + 1], axis=0)
    return out


def ema__calls_ema_update(xs, rho, s0=0.0):
    # the notebook's first solution: calls the student's ema_update with s0 as given (a number
    # too).  The name ema_update exists only while the test runs this with builds_on.
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    s = s0
    for t, x in enumerate(xs):
        s = ema_update(s, x, rho)  # noqa: F821 (given by the test's builds_on)
        out[t] = s
    return out


# ======================================================================== ema_weights: wrong

def ema_weights__newest_first(n, rho):
    return (1 - rho) * rho ** np.arange(n)


def ema_weights__exponent_off_by_one(n, rho):
    return (1 - rho) * rho ** np.arange(n, 0, -1)


def ema_weights__no_one_minus_rho(n, rho):
    return rho ** np.arange(n - 1, -1, -1.0)


def ema_weights__normalized(n, rho):
    w = (1 - rho) * rho ** np.arange(n - 1, -1, -1.0)
    return w / w.sum()


def ema_weights__includes_s0(n, rho):
    return np.concatenate([[rho ** n], (1 - rho) * rho ** np.arange(n - 1, -1, -1.0)])


def ema_weights__swapped_rho(n, rho):
    return rho * (1 - rho) ** np.arange(n - 1, -1, -1.0)


def ema_weights__drops_newest(n, rho):
    return (1 - rho) * rho ** np.arange(n - 1, 0, -1.0)


def ema_weights__ignores_rho(n, rho):
    return 0.1 * 0.9 ** np.arange(n - 1, -1, -1.0)


def ema_weights__cumprod_not_reversed(n, rho):
    return (1 - rho) * np.cumprod(np.full(n, float(rho)))


def ema_weights__remainder_on_oldest(n, rho):
    w = (1 - rho) * rho ** np.arange(n - 1, -1, -1.0)
    w[0] += rho ** n
    return w


def ema_weights__sum_to_one_by_adding_newest(n, rho):
    w = (1 - rho) * rho ** np.arange(n - 1, -1, -1.0)
    w[-1] += rho ** n                                      # the weight of s_0 given to x_n
    return w


def ema_weights__n_plus_one_values(n, rho):
    return (1 - rho) * rho ** np.arange(n, -1, -1.0)


def ema_weights__float32(n, rho):
    return np.float32(1 - rho) * np.float32(rho) ** np.arange(n - 1, -1, -1, dtype=np.float32)


def ema_weights__delegates_top_level(n, rho):
    return _lib_ema_weights(n, rho)


def ema_weights__delegates_inside(n, rho):
    from nntrain import ema as lib
    return lib.ema_weights(n, rho)


def ema_weights__via_library_ema(n, rho):
    from nntrain.ema import ema as lib_ema
    return lib_ema(np.eye(n), rho)[-1]


def ema_weights__linear_in_age(n, rho):
    return (1 - rho) * np.maximum(1 - (1 - rho) * np.arange(n - 1, -1, -1.0), 0)


# ======================================================================== ema_weights: right

def ema_weights__python_list(n, rho):
    return [(1 - rho) * rho ** k for k in reversed(range(n))]


def ema_weights__list_comprehension(n, rho):
    return np.array([(1 - rho) * rho ** (n - i) for i in range(1, n + 1)])


def ema_weights__flip_power(n, rho):
    return np.flip((1 - rho) * np.power(float(rho), np.arange(n)))


def ema_weights__logspace(n, rho):
    return (1 - rho) * np.logspace(n - 1, 0, n, base=rho)


def ema_weights__telescoping(n, rho):
    powers = float(rho) ** np.arange(n, -1, -1)        # rho^n ... rho^0
    return np.diff(powers)                              # rho^(k) - rho^(k+1) = (1 - rho) rho^k


def ema_weights__ema_of_unit_vectors(n, rho):
    return _plain_ema(np.eye(n), rho)[-1]


def ema_weights__calls_ema(n, rho):
    # the last EMA of the unit vectors; the name ema exists only while the test runs this with builds_on
    return ema(np.eye(n), rho)[-1]  # noqa: F821 (given by the test's builds_on)


# ======================================================================== debiased_ema: wrong

def debiased_ema__no_correction(xs, rho):
    return _plain_ema(xs, rho)


def debiased_ema__exponent_plus_one(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column(1 - rho ** np.arange(2, len(s) + 2), s.ndim)


def debiased_ema__zero_based_t(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column(1 - rho ** np.arange(len(s)), s.ndim)


def debiased_ema__divides_by_one_minus_rho(xs, rho):
    return _plain_ema(xs, rho) / (1 - rho)


def debiased_ema__precedence(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column((1 - rho) ** np.arange(1, len(s) + 1), s.ndim)


def debiased_ema__starts_from_first_value(xs, rho):
    xs = np.asarray(xs, dtype=float)
    s = _plain_ema(xs, rho, s0=xs[0])
    return s / _time_column(1 - rho ** np.arange(1, len(s) + 1), s.ndim)


def debiased_ema__final_correction_only(xs, rho):
    s = _plain_ema(xs, rho)
    return s / (1 - rho ** len(s))


def debiased_ema__multiplies(xs, rho):
    s = _plain_ema(xs, rho)
    return s * _time_column(1 - rho ** np.arange(1, len(s) + 1), s.ndim)


def debiased_ema__wrong_axis(xs, rho):
    s = _plain_ema(xs, rho)
    return s / (1 - rho ** np.arange(1, len(s) + 1))       # broadcasts along the LAST axis


def debiased_ema__column_vector_always(xs, rho):
    s = _plain_ema(xs, rho)
    return s / (1 - rho ** np.arange(1, len(s) + 1))[:, None]


def debiased_ema__square_root(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column(np.sqrt(1 - rho ** np.arange(1, len(s) + 1)), s.ndim)


def debiased_ema__mutates_xs(xs, rho):
    s = 0.0
    for t in range(len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        xs[t] = s / (1 - rho ** (t + 1))
    return xs


def debiased_ema__zero_based_t_first_patched(xs, rho):
    s = _plain_ema(xs, rho)
    correction = 1 - rho ** np.arange(len(s), dtype=float)   # 0-based t ...
    correction[0] = 1 - rho                                  # ... with the division by 0 patched
    return s / _time_column(correction, s.ndim)


def debiased_ema__one_dimensional_only(xs, rho):
    xs = np.asarray(xs, dtype=float)
    out = np.zeros(len(xs))
    s = 0.0
    for t in range(len(xs)):
        s = rho * s + (1 - rho) * xs[t]
        out[t] = s / (1 - rho ** (t + 1))
    return out


def debiased_ema__corrects_by_rho_t(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column(rho ** np.arange(1, len(s) + 1), s.ndim)


def debiased_ema__always_float32(xs, rho):
    xs32 = np.asarray(xs, dtype=np.float32)
    s = _plain_ema(xs32, np.float32(rho)).astype(np.float32)
    return (s / _time_column(1 - np.float32(rho) ** np.arange(1, len(s) + 1, dtype=np.float32), s.ndim)).astype(np.float32)


def debiased_ema__delegates_top_level(xs, rho):
    return _lib_debiased_ema(xs, rho)


def debiased_ema__delegates_inside(xs, rho):
    from nntrain.ema import debiased_ema as lib
    return lib(xs, rho)


def debiased_ema__uses_library_ema(xs, rho):
    from nntrain.ema import ema as lib_ema
    s = lib_ema(np.asarray(xs, dtype=float), rho)
    return s / _time_column(1 - rho ** np.arange(1, len(s) + 1), s.ndim)


def debiased_ema__reversed_t(xs, rho):
    s = _plain_ema(xs, rho)
    return s / _time_column(1 - rho ** np.arange(len(s), 0, -1), s.ndim)


# ======================================================================== debiased_ema: right

def debiased_ema__ratio_of_two_emas(xs, rho):
    xs = np.asarray(xs, dtype=float)
    return _plain_ema(xs, rho) / _plain_ema(np.ones_like(xs), rho)


def debiased_ema__running_numerator_and_denominator(xs, rho):
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    num, den = 0.0, 0.0
    for t, x in enumerate(xs):
        num = rho * num + (1 - rho) * x
        den = rho * den + (1 - rho)
        out[t] = num / den
    return out


def debiased_ema__normalized_weights(xs, rho):
    xs = np.asarray(xs, dtype=float)
    out = np.empty_like(xs)
    for t in range(1, len(xs) + 1):
        w = (1 - rho) * float(rho) ** np.arange(t - 1, -1, -1)
        out[t - 1] = np.tensordot(w / w.sum(), xs[:t], axes=(0, 0))
    return out


def debiased_ema__expand_dims_float32(xs, rho):
    xs = np.asarray(xs)
    xs = xs.astype(np.result_type(xs.dtype, np.float32))
    s = np.zeros_like(xs)
    acc = np.zeros(xs.shape[1:], dtype=xs.dtype)
    for t in range(len(xs)):
        acc = rho * acc + (1 - rho) * xs[t]
        s[t] = acc
    corr = 1 - rho ** np.arange(1, len(xs) + 1)
    for _ in range(xs.ndim - 1):
        corr = np.expand_dims(corr, -1)
    return s / corr


def debiased_ema__vectorized_weights(xs, rho):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    age = np.arange(n)[:, None] - np.arange(n)[None, :]
    W = np.where(age >= 0, float(rho) ** np.maximum(age, 0), 0.0)
    W /= W.sum(axis=1, keepdims=True)                     # each row sums to 1: the corrected weights
    return np.tensordot(W, xs, axes=(1, 0))


def debiased_ema__calls_ema(xs, rho):
    # calls the student's ema; the name ema exists only while the test runs this with builds_on
    s = ema(xs, rho)  # noqa: F821 (given by the test's builds_on)
    return s / _time_column(1 - float(rho) ** np.arange(1, len(s) + 1), s.ndim)


WRONG = [
    ("ema_update", ema_update__swapped_rho),
    ("ema_update", ema_update__no_one_minus_rho),
    ("ema_update", ema_update__squares_x),
    ("ema_update", ema_update__returns_old_average),
    ("ema_update", ema_update__in_place),
    ("ema_update", ema_update__ignores_rho),
    ("ema_update", ema_update__wrong_sign),
    ("ema_update", ema_update__debiases_every_step),
    ("ema_update", ema_update__plain_mean),
    ("ema_update", ema_update__rho_inside_bracket),
    ("ema_update", ema_update__keeps_its_own_state),
    ("ema_update", ema_update__delegates_top_level),
    ("ema_update", ema_update__delegates_inside),
    ("ema_update", ema_update__delegates_via_momentum),
    ("ema", ema__returns_s0_to_s_n_minus_1),
    ("ema", ema__includes_s0),
    ("ema", ema__ignores_s0),
    ("ema", ema__swapped_rho),
    ("ema", ema__starts_from_first_value),
    ("ema", ema__aliases_one_array),
    ("ema", ema__only_last_value),
    ("ema", ema__one_dimensional_only),
    ("ema", ema__time_on_last_axis),
    ("ema", ema__scalar_start_only),
    ("ema", ema__mutates_xs),
    ("ema", ema__debiased),
    ("ema", ema__closed_form_off_by_one),
    ("ema", ema__needs_an_ndarray),
    ("ema", ema__mutates_s0),
    ("ema", ema__continues_previous_call),
    ("ema", ema__previous_row_of_output),
    ("ema", ema__always_float32),
    ("ema", ema__start_not_broadcast),
    ("ema", ema__every_step_from_s0),
    ("ema", ema__adds_s0_undecayed),
    ("ema", ema__flattens),
    ("ema", ema__s0_first_entry_only),
    ("ema", ema__delegates_top_level),
    ("ema", ema__delegates_inside),
    ("ema", ema__delegates_to_library_update),
    ("ema_weights", ema_weights__newest_first),
    ("ema_weights", ema_weights__exponent_off_by_one),
    ("ema_weights", ema_weights__no_one_minus_rho),
    ("ema_weights", ema_weights__normalized),
    ("ema_weights", ema_weights__includes_s0),
    ("ema_weights", ema_weights__swapped_rho),
    ("ema_weights", ema_weights__drops_newest),
    ("ema_weights", ema_weights__ignores_rho),
    ("ema_weights", ema_weights__cumprod_not_reversed),
    ("ema_weights", ema_weights__remainder_on_oldest),
    ("ema_weights", ema_weights__linear_in_age),
    ("ema_weights", ema_weights__sum_to_one_by_adding_newest),
    ("ema_weights", ema_weights__n_plus_one_values),
    ("ema_weights", ema_weights__float32),
    ("ema_weights", ema_weights__delegates_top_level),
    ("ema_weights", ema_weights__delegates_inside),
    ("ema_weights", ema_weights__via_library_ema),
    ("debiased_ema", debiased_ema__no_correction),
    ("debiased_ema", debiased_ema__exponent_plus_one),
    ("debiased_ema", debiased_ema__zero_based_t),
    ("debiased_ema", debiased_ema__divides_by_one_minus_rho),
    ("debiased_ema", debiased_ema__precedence),
    ("debiased_ema", debiased_ema__starts_from_first_value),
    ("debiased_ema", debiased_ema__final_correction_only),
    ("debiased_ema", debiased_ema__multiplies),
    ("debiased_ema", debiased_ema__wrong_axis),
    ("debiased_ema", debiased_ema__column_vector_always),
    ("debiased_ema", debiased_ema__square_root),
    ("debiased_ema", debiased_ema__mutates_xs),
    ("debiased_ema", debiased_ema__reversed_t),
    ("debiased_ema", debiased_ema__zero_based_t_first_patched),
    ("debiased_ema", debiased_ema__one_dimensional_only),
    ("debiased_ema", debiased_ema__corrects_by_rho_t),
    ("debiased_ema", debiased_ema__always_float32),
    ("debiased_ema", debiased_ema__delegates_top_level),
    ("debiased_ema", debiased_ema__delegates_inside),
    ("debiased_ema", debiased_ema__uses_library_ema),
]

RIGHT = [
    ("ema_update", ema_update__step_towards_x),
    ("ema_update", ema_update__copy_then_in_place),
    ("ema_update", ema_update__np_functions),
    ("ema_update", ema_update__interpolation),
    ("ema", ema__list_and_stack),
    ("ema", ema__weight_matrix),
    ("ema", ema__keeps_float32),
    ("ema", ema__indexing_with_s_minus_one),
    ("ema", ema__in_place_on_a_fresh_start),
    ("ema", ema__cumulative_closed_form),
    ("ema", ema__calls_ema_update),
    ("ema_weights", ema_weights__list_comprehension),
    ("ema_weights", ema_weights__flip_power),
    ("ema_weights", ema_weights__logspace),
    ("ema_weights", ema_weights__telescoping),
    ("ema_weights", ema_weights__ema_of_unit_vectors),
    ("ema_weights", ema_weights__python_list),
    ("ema_weights", ema_weights__calls_ema),
    ("debiased_ema", debiased_ema__ratio_of_two_emas),
    ("debiased_ema", debiased_ema__running_numerator_and_denominator),
    ("debiased_ema", debiased_ema__normalized_weights),
    ("debiased_ema", debiased_ema__expand_dims_float32),
    ("debiased_ema", debiased_ema__vectorized_weights),
    ("debiased_ema", debiased_ema__calls_ema),
]


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
