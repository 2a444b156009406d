"""Mutant tests of chapter 02_momentum: the graded tests must catch realistic wrong
implementations of momentum_step and nesterov_step and accept every correct one."""
import numpy as np
import pytest

from nntrain.optim import momentum_step as _lib_momentum_step
from nntrain.optim import nesterov_step as _lib_nesterov_step
from tests.harness import mutant_tests, visible_tests

CHAPTER = "02_momentum"


# ----------------------------------------------------------------------------- momentum_step: wrong

def momentum_step__no_rho(w, grad, v, lr, rho=0.9):
    v_next = v + grad
    return w - lr * v_next, v_next


def momentum_step__cs231n_form(w, grad, v, lr, rho=0.9):
    # lr inside the velocity: the same path for a constant lr, but v_next = -lr * v
    v_next = rho * v - lr * grad
    return w + v_next, v_next


def momentum_step__lr_inside_positive(w, grad, v, lr, rho=0.9):
    v_next = rho * v + lr * grad
    return w - v_next, v_next


def momentum_step__lr_twice(w, grad, v, lr, rho=0.9):
    v_next = rho * v + lr * grad
    return w - lr * v_next, v_next


def momentum_step__old_velocity_in_step(w, grad, v, lr, rho=0.9):
    w_next = w - lr * v
    v_next = rho * v + grad
    return w_next, v_next


def momentum_step__returns_old_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * v_next, v


def momentum_step__wrong_sign(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w + lr * v_next, v_next


def momentum_step__ema_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + (1 - rho) * grad
    return w - lr * v_next, v_next


def momentum_step__one_minus_rho_decay(w, grad, v, lr, rho=0.9):
    v_next = (1 - rho) * v + grad
    return w - lr * v_next, v_next


def momentum_step__rho_on_sum(w, grad, v, lr, rho=0.9):
    v_next = rho * (v + grad)
    return w - lr * v_next, v_next


def momentum_step__negative_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v - grad
    return w + lr * v_next, v_next


def momentum_step__sgd_only(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * grad, v_next


def momentum_step__no_lr_on_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * grad - rho * v, v_next


def momentum_step__nesterov_instead(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v_next


def momentum_step__hardcoded_rho(w, grad, v, lr, rho=0.9):
    v_next = 0.9 * v + grad
    return w - lr * v_next, v_next


def momentum_step__hardcoded_lr(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - 0.01 * v_next, v_next


def momentum_step__other_default_rho(w, grad, v, lr, rho=0.99):
    v_next = rho * v + grad
    return w - lr * v_next, v_next


def momentum_step__mutates_v(w, grad, v, lr, rho=0.9):
    v *= rho
    v += grad
    return w - lr * v, v.copy()


def momentum_step__mutates_w(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    w -= lr * v_next
    return w, v_next


_STATE = {}


def momentum_step__global_velocity(w, grad, v, lr, rho=0.9):
    # keeps its own velocity between calls and ignores the v passed in after the first call
    v_prev = _STATE.get("v", v)
    if np.shape(v_prev) != np.shape(v):
        v_prev = v
    v_next = rho * v_prev + grad
    _STATE["v"] = v_next
    return w - lr * v_next, v_next


def momentum_step__swapped_return(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return v_next, w - lr * v_next


def momentum_step__returns_only_w(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * v_next


def momentum_step__flattens(w, grad, v, lr, rho=0.9):
    w, grad, v = np.ravel(w), np.ravel(grad), np.ravel(v)
    v_next = rho * v + grad
    return w - lr * v_next, v_next


def momentum_step__keyword_only_rho(w, grad, v, lr, *, rho=0.9):
    v_next = rho * v + grad                       # rho cannot be passed by position
    return w - lr * v_next, v_next


def momentum_step__v_and_grad_swapped_in_signature(w, v, grad, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * v_next, v_next


def momentum_step__delegates_top_level(w, grad, v, lr, rho=0.9):
    return _lib_momentum_step(w, grad, v, lr, rho)


def momentum_step__delegates_inside(w, grad, v, lr, rho=0.9):
    from nntrain import optim
    return optim.momentum_step(w, grad, v, lr, rho=rho)


def momentum_step__delegates_to_class(w, grad, v, lr, rho=0.9):
    from nntrain.optim import Momentum
    opt = Momentum(lr, rho)
    params = {"w": np.array(w, dtype=float)}
    opt.state = {"w": {"v": np.array(v, dtype=float)}}
    opt.step(params, {"w": grad})
    return params["w"], opt.state["w"]["v"]


def momentum_step__delegates_to_sgd(w, grad, v, lr, rho=0.9):
    from nntrain.optim import sgd_step
    v_next = rho * v + grad
    return sgd_step(w, v_next, lr), v_next


# ----------------------------------------------------------------------------- momentum_step: right

def momentum_step__expanded(w, grad, v, lr, rho=0.9):
    return w - lr * (rho * v + grad), grad + v * rho


def momentum_step__via_cs231n_state(w, grad, v, lr, rho=0.9):
    u = -lr * v                       # convert to the CS231n state, step, convert back
    u_next = rho * u - lr * grad
    return w + u_next, -u_next / lr


def momentum_step__loop(w, grad, v, lr, rho=0.9):
    w, grad, v = np.asarray(w), np.asarray(grad), np.asarray(v)
    w_next = np.empty(w.shape, dtype=np.result_type(w, grad, v, float))
    v_next = np.empty_like(w_next)
    for idx in np.ndindex(w.shape):
        v_next[idx] = rho * v[idx] + grad[idx]
        w_next[idx] = w[idx] - lr * v_next[idx]
    return w_next, v_next


def momentum_step__float32_preserving(w, grad, v, lr, rho=0.9):
    dtype = np.result_type(w, grad, v)
    rho, lr = dtype.type(rho), dtype.type(lr)
    v_next = (rho * v + grad).astype(dtype)
    return (w - lr * v_next).astype(dtype), v_next


def momentum_step__copies_then_inplace(w, grad, v, lr, rho=0.9):
    v_next = np.array(v, dtype=float, copy=True)
    v_next *= rho
    v_next += grad
    w_next = np.array(w, dtype=float, copy=True)
    w_next -= lr * v_next
    return [w_next, v_next]


def momentum_step__ufuncs(w, grad, v, lr, rho=0.9):
    v_next = np.add(np.multiply(v, rho), grad)
    return np.subtract(w, np.multiply(lr, v_next)), v_next


def momentum_step__computes_in_float32(w, grad, v, lr, rho=0.9):
    # returns float32 even for float64 input: less precise, but not wrong
    w, grad, v = (np.asarray(a, dtype=np.float32) for a in (w, grad, v))
    v_next = np.float32(rho) * v + grad
    return w - np.float32(lr) * v_next, v_next


def momentum_step__asarray_float(w, grad, v, lr, rho=0.9, **unused):
    w, grad, v = (np.asarray(a, dtype=float) for a in (w, grad, v))
    v_next = rho * v + grad
    return w - lr * v_next, v_next


# ----------------------------------------------------------------------------- nesterov_step: wrong

def nesterov_step__old_velocity(w, grad, v, lr, rho=0.9):
    # rho * v instead of rho * v_next: this is plain momentum
    v_next = rho * v + grad
    return w - lr * (grad + rho * v), v_next


def nesterov_step__momentum_update(w, grad, v, lr, rho=0.9):
    # "the look-ahead is in the gradient, the update is momentum's"
    v_next = rho * v + grad
    return w - lr * v_next, v_next


def nesterov_step__sutskever_u_form(w, grad, v, lr, rho=0.9):
    # the look-ahead form with lr inside the velocity (grad taken as the look-ahead gradient)
    u_next = rho * v - lr * grad
    return w + u_next, u_next


def nesterov_step__cs231n_form(w, grad, v, lr, rho=0.9):
    v_prev = v
    v_next = rho * v - lr * grad
    return w - rho * v_prev + (1 + rho) * v_next, v_next


def nesterov_step__no_rho_on_lookahead(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (grad + v_next), v_next


def nesterov_step__one_plus_rho_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (1 + rho) * v_next, v_next


def nesterov_step__rho_not_squared(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * ((1 + rho) * grad + rho * v), v_next


def nesterov_step__returns_old_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v


def nesterov_step__returns_step_direction(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    direction = grad + rho * v_next
    return w - lr * direction, direction


def nesterov_step__wrong_sign(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w + lr * (grad + rho * v_next), v_next


def nesterov_step__no_rho_in_velocity(w, grad, v, lr, rho=0.9):
    v_next = v + grad
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__ema_velocity(w, grad, v, lr, rho=0.9):
    v_next = rho * v + (1 - rho) * grad
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__lr_missing_on_lookahead(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * grad - rho * v_next, v_next


def nesterov_step__hardcoded_rho(w, grad, v, lr, rho=0.9):
    v_next = 0.9 * v + grad
    return w - lr * (grad + 0.9 * v_next), v_next


def nesterov_step__mutates_v(w, grad, v, lr, rho=0.9):
    v *= rho
    v += grad
    return w - lr * (grad + rho * v), v.copy()


def nesterov_step__mutates_w(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    w -= lr * (grad + rho * v_next)
    return w, v_next


_NSTATE = {}


def nesterov_step__global_velocity(w, grad, v, lr, rho=0.9):
    v_prev = _NSTATE.get("v", v)
    if np.shape(v_prev) != np.shape(v):
        v_prev = v
    v_next = rho * v_prev + grad
    _NSTATE["v"] = v_next
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__swapped_return(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return v_next, w - lr * (grad + rho * v_next)


def nesterov_step__hardcoded_rho_in_step(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (grad + 0.9 * v_next), v_next


def nesterov_step__other_default_rho(w, grad, v, lr, rho=0.99):
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__keyword_only_rho(w, grad, v, lr, *, rho=0.9):
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__flattens(w, grad, v, lr, rho=0.9):
    w, grad, v = np.ravel(w), np.ravel(grad), np.ravel(v)
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v_next


def nesterov_step__delegates_top_level(w, grad, v, lr, rho=0.9):
    return _lib_nesterov_step(w, grad, v, lr, rho)


def nesterov_step__delegates_inside(w, grad, v, lr, rho=0.9):
    from nntrain import optim
    return optim.nesterov_step(w, grad, v, lr, rho=rho)


def nesterov_step__delegates_to_class(w, grad, v, lr, rho=0.9):
    from nntrain.optim import Nesterov
    opt = Nesterov(lr, rho)
    params = {"w": np.array(w, dtype=float)}
    opt.state = {"w": {"v": np.array(v, dtype=float)}}
    opt.step(params, {"w": grad})
    return params["w"], opt.state["w"]["v"]


def nesterov_step__via_library_momentum(w, grad, v, lr, rho=0.9):
    # momentum_step of the library, then the Nesterov correction
    w_m, v_next = _lib_momentum_step(w, grad, v, lr, rho)
    return w_m - lr * rho * (v_next - v), v_next


# ----------------------------------------------------------------------------- nesterov_step: right

def nesterov_step__split_terms(w, grad, v, lr, rho=0.9):
    v_next = rho * v + grad
    return w - lr * grad - lr * rho * v_next, v_next


def nesterov_step__cs231n_combination(w, grad, v, lr, rho=0.9):
    # CS231n's x += -mu v_prev + (1 + mu) v, with the lecture's v: w - lr((1+rho) v_next - rho v)
    v_next = rho * v + grad
    return w - lr * ((1 + rho) * v_next - rho * v), v_next


def nesterov_step__expanded(w, grad, v, lr, rho=0.9):
    return w - lr * ((1 + rho) * grad + rho ** 2 * v), rho * v + grad


def nesterov_step__via_lookahead_state(w, grad, v, lr, rho=0.9):
    # Sutskever's u = -lr v; the look-ahead point moves by u_next + rho (u_next - u)
    u = -lr * v
    u_next = rho * u - lr * grad
    return w + u_next + rho * (u_next - u), -u_next / lr


def nesterov_step__loop(w, grad, v, lr, rho=0.9):
    w, grad, v = np.asarray(w), np.asarray(grad), np.asarray(v)
    w_next = np.zeros(w.shape, dtype=np.result_type(w, grad, v, float))
    v_next = np.zeros_like(w_next)
    for idx in np.ndindex(w.shape):
        v_next[idx] = rho * v[idx] + grad[idx]
        w_next[idx] = w[idx] - lr * (grad[idx] + rho * v_next[idx])
    return w_next, v_next


def nesterov_step__float32_preserving(w, grad, v, lr, rho=0.9):
    dtype = np.result_type(w, grad, v)
    rho, lr = dtype.type(rho), dtype.type(lr)
    v_next = (rho * v + grad).astype(dtype)
    return (w - lr * (grad + rho * v_next)).astype(dtype), v_next


def nesterov_step__copies_then_inplace(w, grad, v, lr, rho=0.9):
    v_next = v.copy()
    v_next *= rho
    v_next += grad
    step = rho * v_next
    step += grad
    step *= lr
    return [w - step, v_next]


def nesterov_step__computes_in_float32(w, grad, v, lr, rho=0.9):
    w, grad, v = (np.asarray(a, dtype=np.float32) for a in (w, grad, v))
    v_next = np.float32(rho) * v + grad
    return w - np.float32(lr) * (grad + np.float32(rho) * v_next), v_next


def nesterov_step__from_step_and_old_velocity(w, grad, v, lr, rho=0.9):
    # w_next = w - lr * ((1 + rho) * v_next - rho * v), v_next from the recursion, 0-d safe
    w, grad, v = np.asarray(w), np.asarray(grad), np.asarray(v)
    v_next = np.multiply(rho, v) + grad
    return w - lr * ((1.0 + rho) * v_next - rho * v), v_next


WRONG = [
    ("momentum_step", momentum_step__no_rho),
    ("momentum_step", momentum_step__cs231n_form),
    ("momentum_step", momentum_step__lr_inside_positive),
    ("momentum_step", momentum_step__lr_twice),
    ("momentum_step", momentum_step__old_velocity_in_step),
    ("momentum_step", momentum_step__returns_old_velocity),
    ("momentum_step", momentum_step__wrong_sign),
    ("momentum_step", momentum_step__ema_velocity),
    ("momentum_step", momentum_step__one_minus_rho_decay),
    ("momentum_step", momentum_step__rho_on_sum),
    ("momentum_step", momentum_step__negative_velocity),
    ("momentum_step", momentum_step__sgd_only),
    ("momentum_step", momentum_step__no_lr_on_velocity),
    ("momentum_step", momentum_step__nesterov_instead),
    ("momentum_step", momentum_step__hardcoded_rho),
    ("momentum_step", momentum_step__hardcoded_lr),
    ("momentum_step", momentum_step__other_default_rho),
    ("momentum_step", momentum_step__mutates_v),
    ("momentum_step", momentum_step__mutates_w),
    ("momentum_step", momentum_step__global_velocity),
    ("momentum_step", momentum_step__swapped_return),
    ("momentum_step", momentum_step__returns_only_w),
    ("momentum_step", momentum_step__flattens),
    ("momentum_step", momentum_step__keyword_only_rho),
    ("momentum_step", momentum_step__v_and_grad_swapped_in_signature),
    ("momentum_step", momentum_step__delegates_top_level),
    ("momentum_step", momentum_step__delegates_inside),
    ("momentum_step", momentum_step__delegates_to_class),
    ("momentum_step", momentum_step__delegates_to_sgd),
    ("nesterov_step", nesterov_step__old_velocity),
    ("nesterov_step", nesterov_step__momentum_update),
    ("nesterov_step", nesterov_step__sutskever_u_form),
    ("nesterov_step", nesterov_step__cs231n_form),
    ("nesterov_step", nesterov_step__no_rho_on_lookahead),
    ("nesterov_step", nesterov_step__one_plus_rho_velocity),
    ("nesterov_step", nesterov_step__rho_not_squared),
    ("nesterov_step", nesterov_step__returns_old_velocity),
    ("nesterov_step", nesterov_step__returns_step_direction),
    ("nesterov_step", nesterov_step__wrong_sign),
    ("nesterov_step", nesterov_step__no_rho_in_velocity),
    ("nesterov_step", nesterov_step__ema_velocity),
    ("nesterov_step", nesterov_step__lr_missing_on_lookahead),
    ("nesterov_step", nesterov_step__hardcoded_rho),
    ("nesterov_step", nesterov_step__mutates_v),
    ("nesterov_step", nesterov_step__mutates_w),
    ("nesterov_step", nesterov_step__global_velocity),
    ("nesterov_step", nesterov_step__swapped_return),
    ("nesterov_step", nesterov_step__delegates_top_level),
    ("nesterov_step", nesterov_step__delegates_inside),
    ("nesterov_step", nesterov_step__delegates_to_class),
    ("nesterov_step", nesterov_step__via_library_momentum),
    ("nesterov_step", nesterov_step__hardcoded_rho_in_step),
    ("nesterov_step", nesterov_step__other_default_rho),
    ("nesterov_step", nesterov_step__keyword_only_rho),
    ("nesterov_step", nesterov_step__flattens),
]

RIGHT = [
    ("momentum_step", momentum_step__expanded),
    ("momentum_step", momentum_step__via_cs231n_state),
    ("momentum_step", momentum_step__loop),
    ("momentum_step", momentum_step__float32_preserving),
    ("momentum_step", momentum_step__copies_then_inplace),
    ("momentum_step", momentum_step__ufuncs),
    ("momentum_step", momentum_step__computes_in_float32),
    ("momentum_step", momentum_step__asarray_float),
    ("nesterov_step", nesterov_step__split_terms),
    ("nesterov_step", nesterov_step__cs231n_combination),
    ("nesterov_step", nesterov_step__expanded),
    ("nesterov_step", nesterov_step__via_lookahead_state),
    ("nesterov_step", nesterov_step__loop),
    ("nesterov_step", nesterov_step__float32_preserving),
    ("nesterov_step", nesterov_step__copies_then_inplace),
    ("nesterov_step", nesterov_step__computes_in_float32),
    ("nesterov_step", nesterov_step__from_step_and_old_velocity),
]


@pytest.fixture(autouse=True)
def _fresh_global_state():
    _STATE.clear()
    _NSTATE.clear()
    yield


def test_visible_tests_catch_the_most_common_mistakes():
    """The visible (hand-checkable) tests alone already catch the classic mistakes."""
    classic = {
        "momentum_step": [momentum_step__no_rho, momentum_step__cs231n_form,
                          momentum_step__old_velocity_in_step, momentum_step__returns_old_velocity,
                          momentum_step__mutates_v, momentum_step__delegates_inside,
                          momentum_step__flattens, momentum_step__global_velocity],
        "nesterov_step": [nesterov_step__old_velocity, nesterov_step__sutskever_u_form,
                          nesterov_step__cs231n_form, nesterov_step__rho_not_squared,
                          nesterov_step__mutates_v, nesterov_step__delegates_inside,
                          nesterov_step__hardcoded_rho, nesterov_step__global_velocity],
    }
    visible = visible_tests(CHAPTER)
    for function, impls in classic.items():
        for impl in impls:
            caught = False
            for source in visible[function]:
                try:
                    exec(compile(source, "<visible test>", "exec"), {"__name__": "__main__", function: impl})
                except AssertionError:
                    caught = True
            assert caught, f"the visible tests of {function} do not catch {impl.__name__}"


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
