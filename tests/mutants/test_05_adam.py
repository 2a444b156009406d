"""The graded tests of 05_adam against realistic wrong and differently written right solutions."""
import numpy as np
import pytest

from nntrain.optim import adam_step as library_adam_step
from tests.harness import mutant_tests, rebound

CHAPTER = "05_adam"


# ------------------------------------------------------------------------------ helpers

def _moments(grad, m, s, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * s + (1 - beta2) * grad ** 2


def _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction=True):
    """A correct Adam step, for building AdamW mutants."""
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if bias_correction:
        m_hat, s_hat = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    else:
        m_hat, s_hat = m_next, s_next
    return w - lr * m_hat / (np.sqrt(s_hat) + eps), m_next, s_next


# ------------------------------------------------------------------------------ adam_step: wrong

def adam_step__old_state_in_update(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m / c1) / (np.sqrt(s / c2) + eps), m_next, s_next


def adam_step__old_m_in_update(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__returns_old_state(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 bias_correction=True):
    w_next, _, _ = _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)
    return w_next, m, s


def adam_step__eps_inside_sqrt(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / np.sqrt(s_next / c2 + eps), m_next, s_next


def adam_step__eps_squared_inside_sqrt(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                       bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / np.sqrt(s_next / c2 + eps ** 2), m_next, s_next


def adam_step__eps_before_correction(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                     bias_correction=True):
    # TensorFlow's "epsilon hat": eps added to sqrt(s) before the correction of s
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / ((np.sqrt(s_next) + eps) / np.sqrt(c2)), m_next, s_next


def adam_step__efficient_form_unscaled_eps(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                           bias_correction=True):
    # Kingma & Ba's "more efficient" order, but with eps not rescaled
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) if bias_correction else lr
    return w - lr_t * m_next / (np.sqrt(s_next) + eps), m_next, s_next


def adam_step__eps_added_to_s_before_correction(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999,
                                                eps=1e-8, bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / np.sqrt((s_next + eps) / c2), m_next, s_next


def adam_step__no_one_minus_beta1(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                  bias_correction=True):
    m_next = beta1 * m + grad
    s_next = beta2 * s + (1 - beta2) * grad ** 2
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__no_one_minus_beta2(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                  bias_correction=True):
    m_next = beta1 * m + (1 - beta1) * grad
    s_next = beta2 * s + grad ** 2
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__swapped_betas(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                             bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta2, beta1, eps, bias_correction)


def adam_step__t_plus_1(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                        bias_correction=True):
    return _adam(w, grad, m, s, t + 1, lr, beta1, beta2, eps, bias_correction)


def adam_step__t_minus_1(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                         bias_correction=True):
    return _adam(w, grad, m, s, t - 1, lr, beta1, beta2, eps, bias_correction)


def adam_step__beta_times_t(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                            bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 * t, 1 - beta2 * t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__one_minus_beta_to_the_t(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                       bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = ((1 - beta1) ** t, (1 - beta2) ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__precedence_bug(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                              bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if bias_correction:
        m_hat = m_next / 1 - beta1 ** t          # (m / 1) - beta1**t
        s_hat = s_next / 1 - beta2 ** t
    else:
        m_hat, s_hat = m_next, s_next
    return w - lr * m_hat / (np.sqrt(np.abs(s_hat)) + eps), m_next, s_next


def adam_step__returns_corrected_moments(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                         bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if bias_correction:
        m_next, s_next = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    return w - lr * m_next / (np.sqrt(s_next) + eps), m_next, s_next


def adam_step__flag_ignored_always_corrects(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                            bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, True)


def adam_step__never_corrects(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                              bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, False)


def adam_step__default_flag_false(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                  bias_correction=False):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)


def adam_step__corrects_only_m(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1 = 1 - beta1 ** t if bias_correction else 1.0
    return w - lr * (m_next / c1) / (np.sqrt(s_next) + eps), m_next, s_next


def adam_step__corrects_only_s(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c2 = 1 - beta2 ** t if bias_correction else 1.0
    return w - lr * m_next / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__sqrt_of_correction_missing(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                          bias_correction=True):
    # divides sqrt(s_next) by (1 - beta2**t) instead of by its square root
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next) / c2 + eps), m_next, s_next


def adam_step__wrong_sign(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                          bias_correction=True):
    w_next, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)
    return 2 * w - w_next, m_next, s_next


def adam_step__no_sqrt(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                       bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (s_next / c2 + eps), m_next, s_next


def adam_step__abs_instead_of_square(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                     bias_correction=True):
    m_next = beta1 * m + (1 - beta1) * grad
    s_next = beta2 * s + (1 - beta2) * np.abs(grad)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m_next / c1) / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__rmsprop_numerator(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 bias_correction=True):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c2 = 1 - beta2 ** t if bias_correction else 1.0
    return w - lr * grad / (np.sqrt(s_next / c2) + eps), m_next, s_next


def adam_step__hardcoded_hyperparameters(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                         bias_correction=True):
    return _adam(w, grad, m, s, t, 1e-3, 0.9, 0.999, 1e-8, bias_correction)


def adam_step__ignores_lr(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                          bias_correction=True):
    return _adam(w, grad, m, s, t, 1e-3, beta1, beta2, eps, bias_correction)


def adam_step__ignores_eps(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                           bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, 1e-8, bias_correction)


def adam_step__keras_default_eps(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7,
                                 bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)


def adam_step__lr_default_1e_2(w, grad, m, s, t, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)


_GLOBAL = {}


def adam_step__global_state(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                            bias_correction=True):
    # keeps its own moments between calls and ignores the m and s it is given
    key = np.shape(w)
    m_own, s_own = _GLOBAL.get(key, (np.zeros_like(w), np.zeros_like(w)))
    out = _adam(w, grad, m_own, s_own, t, lr, beta1, beta2, eps, bias_correction)
    _GLOBAL[key] = out[1:]
    return out


def adam_step__mutates_m_and_s(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               bias_correction=True):
    m *= beta1
    m += (1 - beta1) * grad
    s *= beta2
    s += (1 - beta2) * grad ** 2
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    return w - lr * (m / c1) / (np.sqrt(s / c2) + eps), m, s


def adam_step__inplace_w(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                         bias_correction=True):
    w_next, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)
    w -= w - w_next
    return w, m_next, s_next


def adam_step__casts_to_float32(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                bias_correction=True):
    # "float32 inputs must work": converts everything to float32, losing float64 precision
    w, grad, m, s = (np.asarray(a, dtype=np.float32) for a in (w, grad, m, s))
    return _adam(w, grad, m, s, t, np.float32(lr), np.float32(beta1), np.float32(beta2), np.float32(eps),
                 bias_correction)


def adam_step__only_1d(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                       bias_correction=True):
    # works on vectors only: flattens and forgets to reshape
    w, grad, m, s = (np.ravel(a) for a in (w, grad, m, s))
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)


def adam_step__delegates_inside(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                bias_correction=True):
    from nntrain.optim import adam_step as library
    return library(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                   bias_correction=bias_correction)


def adam_step__delegates_top_level(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   bias_correction=True):
    return library_adam_step(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                             bias_correction=bias_correction)


def adam_step__delegates_via_class(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   bias_correction=True):
    from nntrain.optim import Adam
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)
    params = {"w": np.array(w, dtype=float)}
    opt.state["w"] = {"m": np.array(m, dtype=float), "s": np.array(s, dtype=float), "t": t - 1}
    opt.step(params, {"w": np.asarray(grad, dtype=float)})
    return params["w"], opt.state["w"]["m"], opt.state["w"]["s"]


def adam_step__delegates_to_rmsprop(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                    bias_correction=True):
    # RMSProp's step applied to the corrected first moment
    from nntrain.optim import rmsprop_step
    m_next = beta1 * m + (1 - beta1) * grad
    c1 = 1 - beta1 ** t if bias_correction else 1.0
    w_next, s_next = rmsprop_step(w, m_next / c1, s, lr=lr, rho=beta2, eps=eps)
    return w_next, m_next, s_next


def adam_step__default_beta2_0_99(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.99, eps=1e-8,
                                  bias_correction=True):
    # RMSProp's customary rho = 0.99 as Adam's default beta2
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction)


def adam_step__ignores_beta2(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                             bias_correction=True):
    return _adam(w, grad, m, s, t, lr, beta1, 0.999, eps, bias_correction)


def adam_step__eps_inside_sqrt_when_corrected(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                              bias_correction=True):
    # right in the lecture's form, eps under the root only in the corrected branch
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if not bias_correction:
        return w - lr * m_next / (np.sqrt(s_next) + eps), m_next, s_next
    m_hat, s_hat = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(s_hat + eps), m_next, s_next


def adam_step__keras_epsilon_hat(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 bias_correction=True):
    # Keras/TF: lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), then m / (sqrt(s) + eps), written out
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if not bias_correction:
        return w - lr * m_next / (np.sqrt(s_next) + eps), m_next, s_next
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - lr_t * m_next / (np.sqrt(s_next) + eps), m_next, s_next


def adam_step__zero_based_t(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                            bias_correction=True):
    # counts steps from 0 but guards the division by zero of the first step
    t0 = t - 1
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    if bias_correction and t0 > 0:
        m_hat, s_hat = m_next / (1 - beta1 ** t0), s_next / (1 - beta2 ** t0)
    else:
        m_hat, s_hat = m_next, s_next
    return w - lr * m_hat / (np.sqrt(s_hat) + eps), m_next, s_next


def adam_step__float64_via_float32_sqrt(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                        bias_correction=True):
    # the square root taken in float32 (np.sqrt(x, dtype=np.float32)): loses float64 precision
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
    root = np.sqrt(np.asarray(s_next / c2, dtype=np.float32))
    return w - lr * (m_next / c1) / (root + eps), m_next, s_next


# ------------------------------------------------------------------------------ adam_step: right

def adam_step__efficient_form(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                              bias_correction=True):
    """Kingma & Ba's order of operations, with eps rescaled so that it is the same update."""
    m_next = beta1 * m + (1 - beta1) * grad
    s_next = beta2 * s + (1 - beta2) * grad * grad
    if bias_correction:
        root_c2 = np.sqrt(1 - beta2 ** t)
        step_size = lr * root_c2 / (1 - beta1 ** t)
        return w - step_size * m_next / (np.sqrt(s_next) + eps * root_c2), m_next, s_next
    return w - lr * m_next / (np.sqrt(s_next) + eps), m_next, s_next


def adam_step__incremental_average(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   bias_correction=True):
    """m + (1 - beta1)(grad - m) is the same moving average; np.power, np.divide, a list back."""
    w, grad, m, s = (np.asarray(a, dtype=np.float64) for a in (w, grad, m, s))
    m_next = m + (1.0 - beta1) * (grad - m)
    s_next = s + (1.0 - beta2) * (np.square(grad) - s)
    c1 = 1.0 - np.power(beta1, t) if bias_correction else 1.0
    c2 = 1.0 - np.power(beta2, t) if bias_correction else 1.0
    denominator = np.sqrt(np.divide(s_next, c2)) + eps
    return [w - np.divide(lr * np.divide(m_next, c1), denominator), m_next, s_next]


def adam_step__loops(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                     bias_correction=True):
    """Element by element with math, on copies."""
    import math
    w_next = np.array(w, dtype=float)
    m_next = np.array(m, dtype=float)
    s_next = np.array(s, dtype=float)
    g = np.asarray(grad, dtype=float)
    for i in np.ndindex(w_next.shape):
        m_next[i] = beta1 * m_next[i] + (1 - beta1) * g[i]
        s_next[i] = beta2 * s_next[i] + (1 - beta2) * g[i] ** 2
        m_hat, s_hat = m_next[i], s_next[i]
        if bias_correction:
            m_hat, s_hat = m_hat / (1 - beta1 ** t), s_hat / (1 - beta2 ** t)
        w_next[i] -= lr * m_hat / (math.sqrt(s_hat) + eps)
    return w_next, m_next, s_next


def adam_step__float32_preserving(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                  bias_correction=True):
    """Computes in the inputs' dtype (float32 stays float32), copies then in-place on the copies."""
    dtype = np.result_type(w, grad, m, s)
    m_next = np.array(m, dtype=dtype)
    m_next *= dtype.type(beta1)
    m_next += dtype.type(1 - beta1) * grad
    s_next = np.array(s, dtype=dtype)
    s_next *= dtype.type(beta2)
    s_next += dtype.type(1 - beta2) * grad * grad
    m_hat, s_hat = m_next, s_next
    if bias_correction:
        m_hat = m_next / dtype.type(1 - beta1 ** t)
        s_hat = s_next / dtype.type(1 - beta2 ** t)
    w_next = np.array(w, dtype=dtype)
    w_next -= dtype.type(lr) * m_hat / (np.sqrt(s_hat) + dtype.type(eps))
    return w_next, m_next, s_next


def adam_step__keyword_only_flag_and_extra(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999,
                                           eps=1e-8, bias_correction=True, **unused):
    """Corrections as a tuple of factors, one expression for the update."""
    m_next, s_next = beta1 * m + (1 - beta1) * grad, beta2 * s + (1 - beta2) * grad ** 2
    scale_m, scale_s = (1 / (1 - beta1 ** t), 1 / (1 - beta2 ** t)) if bias_correction else (1, 1)
    return (w - lr * (scale_m * m_next) / (np.sqrt(scale_s * s_next) + eps)), m_next, s_next


# ------------------------------------------------------------------------------ adamw_step: wrong

def adamw_step__decay_after_adam_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                      weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w_adam, m_next, s_next


def adamw_step__decay_without_lr(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - weight_decay * w, m_next, s_next


def adamw_step__multiplicative_without_lr(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                          weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w * (1 - weight_decay), grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam, m_next, s_next


def adamw_step__l2_in_gradient(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               weight_decay=1e-2):
    return _adam(w, grad + weight_decay * w, m, s, t, lr, beta1, beta2, eps)


def adamw_step__l2_and_decay(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                             weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad + weight_decay * w, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__decay_through_m(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                weight_decay=1e-2):
    m_next = beta1 * m + (1 - beta1) * (grad + weight_decay * w)
    s_next = beta2 * s + (1 - beta2) * grad ** 2
    m_hat, s_hat = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(s_hat) + eps), m_next, s_next


def adamw_step__decay_rescaled_by_adam(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                       weight_decay=1e-2):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    m_hat, s_hat = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    return w - lr * (m_hat + weight_decay * w) / (np.sqrt(s_hat) + eps), m_next, s_next


def adamw_step__no_bias_correction(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps, bias_correction=False)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__decay_wrong_sign(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam + lr * weight_decay * w, m_next, s_next


def adamw_step__lr_squared(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * lr * weight_decay * w, m_next, s_next


def adamw_step__no_decay(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                         weight_decay=1e-2):
    return _adam(w, grad, m, s, t, lr, beta1, beta2, eps)


def adamw_step__hardcoded_weight_decay(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                       weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * 1e-2 * w, m_next, s_next


def adamw_step__default_weight_decay_zero(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                          weight_decay=0.0):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__ignores_hyperparameters(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                        weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, 0.9, 0.999, 1e-8)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__old_state_in_update(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                    weight_decay=1e-2):
    m_next, s_next = _moments(grad, m, s, beta1, beta2)
    m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(s_hat) + eps) - lr * weight_decay * w, m_next, s_next


def adamw_step__t_plus_1(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                         weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t + 1, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__inplace(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                        weight_decay=1e-2):
    # right numbers, but PyTorch-style in-place updates of the caller's w
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    step = w - w_adam
    w *= 1 - lr * weight_decay
    w -= step
    return w, m_next, s_next


def adamw_step__mutates_m(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                          weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    m[...] = m_next
    return w_adam - lr * weight_decay * w, m, s_next


def adamw_step__delegates_inside(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                 weight_decay=1e-2):
    from nntrain.optim import adamw_step as library
    return library(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)


def adamw_step__delegates_to_library_adam(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                          weight_decay=1e-2):
    w_adam, m_next, s_next = library_adam_step(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__delegates_via_class(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                    weight_decay=1e-2):
    from nntrain.optim import AdamW
    opt = AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    params = {"w": np.array(w, dtype=float)}
    opt.state["w"] = {"m": np.array(m, dtype=float), "s": np.array(s, dtype=float), "t": t - 1}
    opt.step(params, {"w": np.asarray(grad, dtype=float)})
    return params["w"], opt.state["w"]["m"], opt.state["w"]["s"]


def adamw_step__ignores_eps(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, 1e-8)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__ignores_betas(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                              weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, 0.9, 0.999, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__always_first_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                  weight_decay=1e-2):
    # forgets to pass t on: every step is corrected like the first
    w_adam, m_next, s_next = _adam(w, grad, m, s, 1, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__lr_default_1e_2(w, grad, m, s, t, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8,
                                weight_decay=1e-2):
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


def adamw_step__returns_decayed_state(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                      weight_decay=1e-2):
    # right w_next, but the returned m is shrunk like the weights
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps)
    return w_adam - lr * weight_decay * w, m_next * (1 - lr * weight_decay), s_next


def adamw_step__imports_library_adam_inside(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                            weight_decay=1e-2):
    # calls the library's Adam itself (not the adam_step of the notebook): still delegation
    from nntrain.optim import adam_step as library
    w_adam, m_next, s_next = library(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_adam - lr * weight_decay * w, m_next, s_next


# ------------------------------------------------------------------------------ adamw_step: right

def adamw_step__decay_first(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=1e-2):
    """PyTorch's order: shrink w by (1 - lr * weight_decay), then subtract the Adam step."""
    m_next = beta1 * m + (1 - beta1) * grad
    s_next = beta2 * s + (1 - beta2) * grad ** 2
    m_hat = m_next / (1 - beta1 ** t)
    s_hat = s_next / (1 - beta2 ** t)
    return w * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(s_hat) + eps), m_next, s_next


def adamw_step__reuses_adam_returns_list(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                         weight_decay=1e-2):
    """Reuses an Adam helper with positional arguments and returns a list."""
    w_adam, m_next, s_next = _adam(w, grad, m, s, t, lr, beta1, beta2, eps, True)
    return [w_adam - lr * weight_decay * w, m_next, s_next]


def adamw_step__one_expression(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                               weight_decay=1e-2):
    """The paper's form: w - lr * (m_hat / (sqrt(s_hat) + eps) + weight_decay * w)."""
    m_next = m + (1 - beta1) * (grad - m)
    s_next = s + (1 - beta2) * (grad * grad - s)
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    return w - lr * ((m_next / c1) / (np.sqrt(s_next / c2) + eps) + weight_decay * w), m_next, s_next


def adamw_step__float32_preserving(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                   weight_decay=1e-2):
    """Stays in the inputs' dtype; element loops over the flattened arrays."""
    dtype = np.result_type(w, grad, m, s)
    w0, g = np.asarray(w, dtype=dtype), np.asarray(grad, dtype=dtype)
    m_next, s_next = np.array(m, dtype=dtype), np.array(s, dtype=dtype)
    w_next = np.array(w0)
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    flat = (w_next.reshape(-1), m_next.reshape(-1), s_next.reshape(-1), w0.reshape(-1), g.reshape(-1))
    for i in range(w_next.size):
        wn, mn, sn, wi, gi = (a[i:i + 1] for a in flat)
        mn[:] = beta1 * mn + (1 - beta1) * gi
        sn[:] = beta2 * sn + (1 - beta2) * gi * gi
        wn[:] = wi - lr * (mn / c1) / (np.sqrt(sn / c2) + eps) - lr * weight_decay * wi
    return w_next, m_next, s_next


def adamw_step__calls_adam_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                                weight_decay=1e-2):
    """Calls adam_step by name, positionally, as the solution does (the test provides a correct one)."""
    w_adam, m_next, s_next = adam_step(w, grad, m, s, t, lr, beta1, beta2, eps)  # noqa: F821
    return w_adam - lr * weight_decay * w, m_next, s_next


# ------------------------------------------------------------------------------ the tests

WRONG = [("adam_step", f) for f in (
    adam_step__old_state_in_update, adam_step__old_m_in_update, adam_step__returns_old_state,
    adam_step__eps_inside_sqrt, adam_step__eps_squared_inside_sqrt, adam_step__eps_before_correction,
    adam_step__efficient_form_unscaled_eps, adam_step__eps_added_to_s_before_correction,
    adam_step__no_one_minus_beta1, adam_step__no_one_minus_beta2, adam_step__swapped_betas,
    adam_step__t_plus_1, adam_step__t_minus_1, adam_step__beta_times_t,
    adam_step__one_minus_beta_to_the_t, adam_step__precedence_bug,
    adam_step__returns_corrected_moments, adam_step__flag_ignored_always_corrects,
    adam_step__never_corrects, adam_step__default_flag_false, adam_step__corrects_only_m,
    adam_step__corrects_only_s, adam_step__sqrt_of_correction_missing, adam_step__wrong_sign,
    adam_step__no_sqrt, adam_step__abs_instead_of_square, adam_step__rmsprop_numerator,
    adam_step__hardcoded_hyperparameters, adam_step__ignores_lr, adam_step__ignores_eps,
    adam_step__keras_default_eps, adam_step__lr_default_1e_2, adam_step__global_state,
    adam_step__mutates_m_and_s, adam_step__inplace_w, adam_step__casts_to_float32,
    adam_step__only_1d, adam_step__delegates_inside, adam_step__delegates_top_level,
    adam_step__delegates_via_class, adam_step__delegates_to_rmsprop,
    adam_step__default_beta2_0_99, adam_step__ignores_beta2, adam_step__eps_inside_sqrt_when_corrected,
    adam_step__keras_epsilon_hat, adam_step__zero_based_t, adam_step__float64_via_float32_sqrt,
)] + [("adamw_step", f) for f in (
    adamw_step__decay_after_adam_step, adamw_step__decay_without_lr,
    adamw_step__multiplicative_without_lr, adamw_step__l2_in_gradient, adamw_step__l2_and_decay,
    adamw_step__decay_through_m, adamw_step__decay_rescaled_by_adam,
    adamw_step__no_bias_correction, adamw_step__decay_wrong_sign, adamw_step__lr_squared,
    adamw_step__no_decay, adamw_step__hardcoded_weight_decay,
    adamw_step__default_weight_decay_zero, adamw_step__ignores_hyperparameters,
    adamw_step__old_state_in_update, adamw_step__t_plus_1, adamw_step__inplace,
    adamw_step__mutates_m, adamw_step__delegates_inside, adamw_step__delegates_to_library_adam,
    adamw_step__delegates_via_class, adamw_step__ignores_eps, adamw_step__ignores_betas,
    adamw_step__always_first_step, adamw_step__lr_default_1e_2, adamw_step__returns_decayed_state,
    adamw_step__imports_library_adam_inside,
)]

RIGHT = [("adam_step", f) for f in (
    adam_step__efficient_form, adam_step__incremental_average, adam_step__loops,
    adam_step__float32_preserving, adam_step__keyword_only_flag_and_extra,
)] + [("adamw_step", f) for f in (
    adamw_step__decay_first, adamw_step__reuses_adam_returns_list, adamw_step__one_expression,
    adamw_step__float32_preserving, adamw_step__calls_adam_step,
)]


def overrides(name, impl):
    """adamw_step__calls_adam_step looks adam_step up by name, as a notebook's adamw_step finds the
    student's own: it gets a correct one here, as the notebook's namespace gives it.  (The test
    cell's builds_on replaces it by the library's while the call runs; in the student edition,
    where correct_versions gives none, the call uses this one.)"""
    if impl is adamw_step__calls_adam_step:
        return {name: rebound(impl, adam_step=adam_step__efficient_form)}
    return {name: impl}


@pytest.fixture(autouse=True)
def _fresh_global_state():
    _GLOBAL.clear()
    yield


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT, overrides=overrides)
