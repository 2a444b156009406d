"""Update rules of the lecture: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW.

Notation as in the lecture: w the parameters, grad = ∇f(w) a (stochastic) gradient, lr the
learning rate, v the velocity, s the moving average of squared gradients, m the moving
average of gradients, ⊘ element-wise division.

Each rule is written once, as the pure function ``<rule>_step`` of the contract (marked
``@reference``: the exercise of its chapter).  It copies nothing it does not return: the
caller's arrays are never changed.  The stateful classes (``SGD``, ``Momentum``, ...) that
the training loop uses keep one set of state arrays per parameter and call that same pure
function, then write the result into the parameter in place.  So the classes hold no update
rule of their own: in the student edition they run on the student's step functions.

dtype: the pure functions compute in the common float dtype of w, grad and the state
(float32 stays float32 when every array is float32; ints become float64).  The classes
update each parameter in its own dtype.

Two forms of momentum (动量)
---------------------------
The lecture (like PyTorch and d2l) accumulates gradients and multiplies by lr afterwards::

    v = rho * v + grad;          w = w - lr * v

The classic CS231n assignments put lr inside the velocity::

    u = rho * u - lr * grad;     w = w + u

By induction u_t = -lr * v_t while lr is constant, so both produce the same path.  They
differ only when lr changes during training: the first form applies the new lr to the
whole accumulated velocity at once, the second only to new gradients.
"""
from __future__ import annotations

import inspect

import numpy as np

from .checks import (as_float_array, check_bool, check_fraction, check_int, check_nonnegative,
                     check_positive, check_same_shape, check_state)
from .reference import reference

__all__ = [
    "sgd_step", "momentum_step", "nesterov_step", "rmsprop_step", "adagrad_step",
    "adam_step", "adamw_step",
    "Optimizer", "SGD", "Momentum", "Nesterov", "RMSProp", "AdaGrad", "Adam", "AdamW",
    "make_optimizer", "StepFunction", "run",
]


# ---------------------------------------------------------------------------------------
# validation and copying
# ---------------------------------------------------------------------------------------

def _arrays(w, grad, **state):
    """Validated float arrays w, its state arrays (same shape as w) and grad.

    Returns ``[w, *state, grad]`` in one common float dtype (new arrays where a conversion
    was needed); the update rules compute new arrays from them and never write into them.
    """
    w = as_float_array(w, "w")
    grad = as_float_array(grad, "grad")
    check_same_shape(w, grad, "w", "grad")
    states = [check_state(value, w, name) for name, value in state.items()]
    dtype = np.result_type(w, grad, *states)
    return [np.asarray(a, dtype=dtype) for a in (w, *states, grad)]


def _rate(rho, name):
    """A decay rate (rho, beta1, beta2) in [0, 1)."""
    return check_fraction(rho, name)


def _eps(eps):
    return check_nonnegative(eps, "eps")


def _adam_hyper(beta1, beta2, eps):
    return dict(beta1=_rate(beta1, "beta1"), beta2=_rate(beta2, "beta2"), eps=_eps(eps))


# ---------------------------------------------------------------------------------------
# pure functions of the contract
# ---------------------------------------------------------------------------------------

@reference("sgd_step")
def sgd_step(w, grad, lr):
    """One step of (stochastic) gradient descent: w_next = w - lr * grad.

    w, grad : arrays of the same shape;  lr > 0.  Returns a new array w_next.
    """
    lr = check_positive(lr, "lr")
    w, grad = _arrays(w, grad)
    return w - lr * grad


@reference("momentum_step")
def momentum_step(w, grad, v, lr, rho=0.9):
    """SGD + momentum in the lecture's form (PyTorch's, see the module docstring).

        v_next = rho * v + grad
        w_next = w - lr * v_next

    w, grad, v : arrays of one shape (v starts as zeros);  lr > 0;  rho in [0, 1).
    Returns new arrays (w_next, v_next).
    """
    lr, rho = check_positive(lr, "lr"), _rate(rho, "rho")
    w, v, grad = _arrays(w, grad, v=v)
    v_next = rho * v + grad
    return w - lr * v_next, v_next


@reference("nesterov_step")
def nesterov_step(w, grad, v, lr, rho=0.9):
    """Nesterov momentum in the lecture's form (PyTorch's ``nesterov=True``).

        v_next = rho * v + grad
        w_next = w - lr * (grad + rho * v_next)

    The step looks ahead: it uses the velocity the NEXT step would start from.
    Returns new arrays (w_next, v_next).
    """
    lr, rho = check_positive(lr, "lr"), _rate(rho, "rho")
    w, v, grad = _arrays(w, grad, v=v)
    v_next = rho * v + grad
    return w - lr * (grad + rho * v_next), v_next


@reference("rmsprop_step")
def rmsprop_step(w, grad, s, lr=1e-2, rho=0.99, eps=1e-8):
    """RMSProp: rescale each coordinate by the root of its mean squared gradient.

        s_next = rho * s + (1 - rho) * grad**2
        w_next = w - lr * grad ⊘ (sqrt(s_next) + eps)

    eps (not in the lecture) keeps the division finite where s_next = 0; it is added
    outside the square root, as in PyTorch.  Returns new arrays (w_next, s_next).
    """
    lr, rho, eps = check_positive(lr, "lr"), _rate(rho, "rho"), _eps(eps)
    w, s, grad = _arrays(w, grad, s=s)
    s_next = rho * s + (1 - rho) * grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


@reference("adagrad_step")
def adagrad_step(w, grad, s, lr=1e-2, eps=1e-8):
    """AdaGrad, RMSProp's ancestor: s sums ALL squared gradients, so steps only shrink.

        s_next = s + grad**2
        w_next = w - lr * grad ⊘ (sqrt(s_next) + eps)

    Returns new arrays (w_next, s_next).
    """
    lr, eps = check_positive(lr, "lr"), _eps(eps)
    w, s, grad = _arrays(w, grad, s=s)
    s_next = s + grad ** 2
    return w - lr * grad / (np.sqrt(s_next) + eps), s_next


@reference("adam_step")
def adam_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """Adam: RMSProp with the gradient replaced by its moving average m.

        m_next = beta1 * m + (1 - beta1) * grad
        s_next = beta2 * s + (1 - beta2) * grad**2
        with bias correction (default):
            w_next = w - lr * (m_next / (1 - beta1**t)) ⊘ (sqrt(s_next / (1 - beta2**t)) + eps)
        without (the lecture's form):
            w_next = w - lr * m_next ⊘ (sqrt(s_next) + eps)

    t is the 1-based number of THIS step (t = 1 for the first step).  With beta1 = 0 and no
    bias correction this is exactly :func:`rmsprop_step` with rho = beta2.
    Returns new arrays (w_next, m_next, s_next).
    """
    t = check_int(t, "t", minimum=1)
    lr, hyper = check_positive(lr, "lr"), _adam_hyper(beta1, beta2, eps)
    bias_correction = check_bool(bias_correction, "bias_correction")
    beta1, beta2, eps = hyper["beta1"], hyper["beta2"], hyper["eps"]
    w, m, s, grad = _arrays(w, grad, m=m, s=s)
    m_next = beta1 * m + (1 - beta1) * grad
    s_next = beta2 * s + (1 - beta2) * grad ** 2
    m_hat, s_hat = m_next, s_next
    if bias_correction:
        m_hat, s_hat = m_next / (1 - beta1 ** t), s_next / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(s_hat) + eps), m_next, s_next


@reference("adamw_step")
def adamw_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    """AdamW: a bias-corrected Adam step plus decoupled weight decay.

        w_next = adam_step(w, grad, m, s, t, ...)[0] - lr * weight_decay * w

    where w is the weight BEFORE the step.  The decay does not pass through m and s (unlike
    adding weight_decay * w to the gradient, "L2 regularisation", which Adam would rescale).
    Returns new arrays (w_next, m_next, s_next).
    """
    t = check_int(t, "t", minimum=1)
    lr, hyper = check_positive(lr, "lr"), _adam_hyper(beta1, beta2, eps)
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    w, m, s, grad = _arrays(w, grad, m=m, s=s)
    w_adam, m_next, s_next = adam_step(w, grad, m, s, t, lr, **hyper)
    return w_adam - lr * weight_decay * w, m_next, s_next


# ---------------------------------------------------------------------------------------
# stateful optimizers for the training loop
# ---------------------------------------------------------------------------------------

class Optimizer:
    """Base class: updates a dict of parameters in place with a pure update rule.

    A subclass names its rule (``rule = staticmethod(adam_step)``), the rule's state arrays
    (``state_names``, created as zeros shaped like the parameter) and whether the rule takes
    the step number t (``counts_steps``).  ``step`` then calls
    ``rule(w, grad, *state, [t,] lr=lr, **hyper)`` for each parameter and writes the new
    parameter into it in place, in the parameter's own dtype.

    Attributes
    ----------
    lr : float, settable (a learning-rate schedule changes it between steps)
    hyper : dict of the other hyperparameters (fixed)
    state : dict, parameter name -> dict of state arrays (and the step counter "t")
    """

    rule = None
    state_names = ()
    counts_steps = False

    def __init__(self, lr, **hyper):
        self.lr = lr
        self.hyper = hyper
        self.reset()

    @property
    def lr(self):
        """The learning rate (positive; may be changed between steps, e.g. by a schedule)."""
        return self._lr

    @lr.setter
    def lr(self, value):
        """Set the learning rate (checked to be positive)."""
        self._lr = check_positive(value, "lr")

    def reset(self):
        """Forget all state (velocities, moments, step counters)."""
        self.state = {}

    def step(self, params, grads):
        """Update every ``params[name]`` in place using ``grads[name]`` (same keys, shapes)."""
        if not isinstance(params, dict) or not isinstance(grads, dict):
            raise TypeError("params and grads must be dicts mapping names to arrays")
        if params.keys() != grads.keys():
            raise ValueError(f"grads must have the same keys as params: params has "
                             f"{list(params)}, grads has {list(grads)}")
        for key, w in params.items():
            name = f"params[{key!r}]"
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f":
                raise TypeError(f"{name} must be a float numpy array (it is updated in place)")
            grad = as_float_array(grads[key], f"grads[{key!r}]")
            check_same_shape(w, grad, name, f"grads[{key!r}]")
            if key not in self.state:
                self.state[key] = {n: np.zeros_like(w) for n in self.state_names}
            self._update(w, grad, self.state[key])

    def _update(self, w, grad, state):
        """One step of the rule for the parameter w (in place) and its state (replaced)."""
        args = [state[n] for n in self.state_names]
        if self.counts_steps:
            state["t"] = state.get("t", 0) + 1
            args.append(state["t"])
        out = self.rule(w.copy(), grad, *args, lr=self.lr, **self.hyper)
        w_next, *state_next = out if self.state_names else (out,)
        w[...] = w_next
        for n, value in zip(self.state_names, state_next):
            state[n] = np.asarray(value, dtype=w.dtype)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in {"lr": self.lr, **self.hyper}.items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """w -= lr * grad (see :func:`sgd_step`)."""

    rule = staticmethod(sgd_step)

    def __init__(self, lr):
        super().__init__(lr)


class Momentum(Optimizer):
    """The lecture's momentum (see :func:`momentum_step`); state "v"."""

    rule = staticmethod(momentum_step)
    state_names = ("v",)

    def __init__(self, lr, rho=0.9):
        super().__init__(lr, rho=_rate(rho, "rho"))


class Nesterov(Momentum):
    """Nesterov momentum (see :func:`nesterov_step`); state "v"."""

    rule = staticmethod(nesterov_step)


class RMSProp(Optimizer):
    """RMSProp (see :func:`rmsprop_step`); state "s"."""

    rule = staticmethod(rmsprop_step)
    state_names = ("s",)

    def __init__(self, lr=1e-2, rho=0.99, eps=1e-8):
        super().__init__(lr, rho=_rate(rho, "rho"), eps=_eps(eps))


class AdaGrad(Optimizer):
    """AdaGrad (see :func:`adagrad_step`); state "s"."""

    rule = staticmethod(adagrad_step)
    state_names = ("s",)

    def __init__(self, lr=1e-2, eps=1e-8):
        super().__init__(lr, eps=_eps(eps))


class Adam(Optimizer):
    """Adam (see :func:`adam_step`); state "m", "s" and the step counter "t" per parameter.

    t counts the steps taken for that parameter: the first call of ``step`` uses t = 1.
    """

    rule = staticmethod(adam_step)
    state_names = ("m", "s")
    counts_steps = True

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        super().__init__(lr, **_adam_hyper(beta1, beta2, eps),
                         bias_correction=check_bool(bias_correction, "bias_correction"))


class AdamW(Adam):
    """AdamW (see :func:`adamw_step`): bias-corrected Adam plus decoupled weight decay."""

    rule = staticmethod(adamw_step)

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        # Adam's t counting is inherited; the hyperparameters are adamw_step's.
        Optimizer.__init__(self, lr, **_adam_hyper(beta1, beta2, eps),
                           weight_decay=check_nonnegative(weight_decay, "weight_decay"))


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "rmsprop": RMSProp,
              "adagrad": AdaGrad, "adam": Adam, "adamw": AdamW}


def make_optimizer(name, **hyper):
    """``make_optimizer("adam", lr=1e-3)`` -> ``Adam(lr=1e-3)``; names as in ``OPTIMIZERS``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name.lower() not in OPTIMIZERS:
        raise ValueError(f"name must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name.lower()](**hyper)


# ---------------------------------------------------------------------------------------
# optimizer paths for the figures
# ---------------------------------------------------------------------------------------

def _state_layout(step):
    """(number of state arrays, Adam-like?) of a pure step function, read from its parameter
    names: ``m`` and ``t`` -> Adam-like (m, s and the step number t); ``v`` or ``s`` -> one
    state array; none -> no state."""
    names = inspect.signature(step).parameters
    adam_like = "m" in names and "t" in names
    return (2 if adam_like else 1 if ("v" in names or "s" in names) else 0), adam_like


def _state_names(step):
    """The names of a step function's state arrays, in the contract's order (see
    :func:`_state_layout`): ("m", "s"), ("v",), ("s",) or ()."""
    n_state, adam_like = _state_layout(step)
    if adam_like:
        return ("m", "s")
    if n_state:
        return ("v",) if "v" in inspect.signature(step).parameters else ("s",)
    return ()


class StepFunction(Optimizer):
    """The training loop's optimizer around a pure step function, such as one you wrote.

    ``StepFunction(adagrad_step, lr=0.05)`` trains like ``AdaGrad(lr=0.05)``: it keeps the
    step function's state per parameter (zeros at first; recognised from its parameter names
    as in :func:`run`), calls ``step(w, grad, *state[, t], lr=lr, **hyper)`` and writes the
    new parameters into ``params`` in place, as the loop expects.
    """

    def __init__(self, step, lr, **hyper):
        if not callable(step):
            raise TypeError(f"step must be a step function, got {type(step).__name__}")
        self.rule = step                     # an instance attribute: called unbound
        self.state_names = _state_names(step)
        self.counts_steps = self.state_names == ("m", "s")
        super().__init__(lr, **hyper)

    @property
    def step_function(self):
        """The update rule this optimizer applies (the student's own, for a StepFunction)."""
        return self.rule

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in {"lr": self.lr, **self.hyper}.items())
        return f"StepFunction({getattr(self.step_function, '__name__', 'step')}, {args})"


def run(step, grad_fn, w0, n_steps, max_norm=1e6, **hyper):
    """Iterate a pure step function from w0 and return the path of iterates.

    Parameters
    ----------
    step : a pure update function with the contract's signature, e.g. ``momentum_step``
        (or a student's).  Its state is recognised by parameter names: ``m`` and ``t`` ->
        Adam-like (m, s zeros, t = 1, 2, ...); ``v`` -> velocity; ``s`` -> squared-gradient
        average; none -> plain ``step(w, grad, **hyper)``.  State is passed positionally
        after grad, in the contract's order.
    grad_fn : callable, grad_fn(w) -> gradient shaped like w
    w0 : (D,) start point
    n_steps : int >= 0
    max_norm : the run stops when |w| exceeds it (divergence)
    **hyper : passed to every call of ``step`` (lr, rho, beta1, ...)

    Returns
    -------
    path : (k + 1, D) float array, path[0] = w0, k <= n_steps.  The run stops early when an
        iterate is non-finite (it is dropped) or its norm exceeds ``max_norm`` (it is kept
        as the last row), so a diverging optimizer gives a short path instead of NaNs.
    """
    if not callable(step) or not callable(grad_fn):
        raise TypeError("step and grad_fn must be callables")
    w = np.array(as_float_array(w0, "w0", ndim=1, finite=True))
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    n_state, adam_like = _state_layout(step)
    state = [np.zeros_like(w) for _ in range(n_state)]
    path = [w]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, n_steps + 1):
            out = step(w, grad_fn(w), *state, *([t] if adam_like else []), **hyper)
            if n_state:
                w, *state = out
            else:
                w = out
            w = np.asarray(w, dtype=np.float64)
            if not np.all(np.isfinite(w)):
                break
            path.append(w)
            if np.linalg.norm(w) > max_norm:
                break
    return np.array(path)
