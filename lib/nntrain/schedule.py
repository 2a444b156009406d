"""Learning-rate schedules (学习率调度): the learning rate as a function of the training step.

Chapters 1, 3 and 5 show why a constant learning rate is a compromise: large enough to make
progress early, it keeps the iterates bouncing around the minimum at the end (the noise of
SGD, chapter 1), while a small one is slow from the start.  A schedule lowers lr as training
goes on (学习率衰减, learning-rate decay), and a warm-up (预热) raises it gently at the start.

Every schedule here is a pure function of the 0-based step (or epoch) number ``t`` and of its
settings, returning a Python float:

- :func:`step_decay`        lr_t = lr0 * drop ** floor(t / every)                 (阶梯衰减)
- :func:`cosine_annealing`  lr_t = lr_min + (lr0 - lr_min) * (1 + cos(pi t / total)) / 2
                                                                                   (余弦退火)
- :func:`linear_warmup`     lr_t = lr0 * (t + 1) / warmup for t < warmup, then lr0
                            (or ``after(t - warmup)``)                              (线性预热)

:func:`nntrain.train.train` takes a schedule as ``lr_schedule``, a function ``t -> lr``,
evaluated before every epoch (``lr_schedule_unit="epoch"``, the default) or before every
mini-batch step (``lr_schedule_unit="step"``).  Bind the settings with a lambda::

    train(net, optim.Adam(lr=1e-2), X, y, lr_schedule=lambda t: cosine_annealing(t, 1e-2, 400),
          lr_schedule_unit="step")
"""
from __future__ import annotations

import math

from .checks import check_int, check_nonnegative, check_positive

__all__ = ["step_decay", "cosine_annealing", "linear_warmup"]


def _check_t(t):
    """The step number: an int (Python or NumPy) >= 0."""
    return check_int(t, "t", minimum=0)


def _check_lr0(lr0):
    """The base learning rate: a finite number > 0."""
    return check_positive(lr0, "lr0")


def step_decay(t, lr0, drop=0.1, every=10):
    """Step decay (阶梯衰减): multiply the learning rate by ``drop`` every ``every`` steps.

        lr_t = lr0 * drop ** floor(t / every)

    Parameters
    ----------
    t : int >= 0, the 0-based step (or epoch) number
    lr0 : float > 0, the learning rate of the first ``every`` steps
    drop : float in (0, 1], the factor applied at each drop (0.1: divide by ten)
    every : int >= 1, the number of steps between two drops

    Returns
    -------
    lr : float.  Example: lr0 = 0.1, drop = 0.5, every = 3 gives 0.1, 0.1, 0.1, 0.05, 0.05,
    0.05, 0.025, ... for t = 0, 1, 2, ...
    """
    t = _check_t(t)
    lr0 = _check_lr0(lr0)
    drop = check_positive(drop, "drop")
    if drop > 1:
        raise ValueError(f"drop must be in (0, 1] (a decay factor), got {drop}")
    every = check_int(every, "every", minimum=1)
    return lr0 * drop ** (t // every)


def cosine_annealing(t, lr0, total, lr_min=0.0):
    """Cosine annealing (余弦退火, Loshchilov & Hutter 2017, one cycle without restarts).

        lr_t = lr_min + (lr0 - lr_min) * (1 + cos(pi * t / total)) / 2     for 0 <= t <= total,
        lr_t = lr_min                                                        for t > total.

    lr starts at lr0 (t = 0), falls slowly at first, fastest halfway (t = total / 2, where it is
    the mean of lr0 and lr_min), slowly again near the end, and reaches lr_min at t = total.

    Parameters
    ----------
    t : int >= 0, the 0-based step (or epoch) number
    lr0 : float > 0, the learning rate at t = 0
    total : int >= 1, the step at which lr reaches lr_min (usually the number of steps of the
        run: the last step, t = total - 1, then still has a small positive lr)
    lr_min : float, 0 <= lr_min <= lr0, the final learning rate

    Returns
    -------
    lr : float
    """
    t = _check_t(t)
    lr0 = _check_lr0(lr0)
    total = check_int(total, "total", minimum=1)
    lr_min = check_nonnegative(lr_min, "lr_min")
    if lr_min > lr0:
        raise ValueError(f"lr_min must be <= lr0, got lr_min={lr_min}, lr0={lr0}")
    if t >= total:
        return lr_min
    return lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * t / total)) / 2.0


def linear_warmup(t, lr0, warmup, after=None):
    """Linear warm-up (线性预热, Goyal et al. 2017): raise lr in equal steps up to lr0.

        lr_t = lr0 * (t + 1) / warmup     for t < warmup   (lr0 / warmup, 2 lr0 / warmup, ..., lr0)
        lr_t = lr0                         for t >= warmup, or after(t - warmup) if given.

    The first step already has a positive lr (lr0 / warmup), and the last warm-up step
    (t = warmup - 1) has lr0.  ``after`` continues with another schedule, counted from the end
    of the warm-up, e.g. ``after=lambda s: cosine_annealing(s, lr0, total - warmup)``.

    Parameters
    ----------
    t : int >= 0, the 0-based step (or epoch) number
    lr0 : float > 0, the learning rate reached at the end of the warm-up
    warmup : int >= 1, the number of warm-up steps
    after : None or a function s -> lr (s = t - warmup = 0, 1, ...) for the steps after it

    Returns
    -------
    lr : float
    """
    t = _check_t(t)
    lr0 = _check_lr0(lr0)
    warmup = check_int(warmup, "warmup", minimum=1)
    if after is not None and not callable(after):
        raise TypeError(f"after must be None or a function s -> lr, got {type(after).__name__}")
    if t < warmup:
        return lr0 * (t + 1) / warmup
    if after is None:
        return lr0
    return check_nonnegative(after(t - warmup), "after(t - warmup)")
