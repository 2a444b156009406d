"""Learning-rate schedules (nntrain.schedule) and their use in nntrain.train.train."""
import math

import numpy as np
import pytest

from nntrain.model import MLP
from nntrain.optim import SGD, Adam
from nntrain.schedule import cosine_annealing, linear_warmup, step_decay
from nntrain.train import train


# ----------------------------------------------------------------------------- step decay

def test_step_decay_closed_form():
    got = [step_decay(t, 0.1, drop=0.5, every=3) for t in range(10)]
    want = [0.1] * 3 + [0.05] * 3 + [0.025] * 3 + [0.0125]
    assert got == pytest.approx(want, rel=1e-15)
    assert step_decay(0, 0.3) == 0.3                       # defaults: drop 0.1 every 10 steps
    assert step_decay(9, 0.3) == 0.3
    assert step_decay(10, 0.3) == pytest.approx(0.03, rel=1e-15)
    assert step_decay(25, 0.3) == pytest.approx(0.003, rel=1e-15)
    assert [step_decay(t, 2.0, drop=1.0, every=1) for t in range(5)] == [2.0] * 5   # drop 1: constant
    assert [step_decay(t, 1.0, drop=0.5, every=1) for t in range(4)] == [1.0, 0.5, 0.25, 0.125]


def test_step_decay_is_a_python_float_and_accepts_numpy_ints():
    lr = step_decay(np.int64(7), np.float32(0.5), drop=np.float64(0.5), every=np.int32(2))
    assert type(lr) is float and lr == 0.5 * 0.5 ** 3


# ----------------------------------------------------------------------------- cosine

def test_cosine_annealing_closed_form():
    lr0, total = 0.2, 8
    got = [cosine_annealing(t, lr0, total) for t in range(total + 1)]
    want = [lr0 * (1 + math.cos(math.pi * t / total)) / 2 for t in range(total + 1)]
    assert got == pytest.approx(want, rel=1e-14, abs=1e-18)
    assert got[0] == lr0                                   # starts at lr0
    assert got[4] == pytest.approx(lr0 / 2, rel=1e-14)     # halfway: the mean of lr0 and lr_min
    assert got[2] == pytest.approx(lr0 * (2 + math.sqrt(2)) / 4, rel=1e-14)   # cos(pi/4)
    assert got[-1] == pytest.approx(0.0, abs=1e-18)        # reaches lr_min at t = total
    assert all(a > b for a, b in zip(got, got[1:]))        # strictly decreasing
    assert got[total - 1] > 0                              # the last step of a run of `total` still moves


def test_cosine_annealing_with_lr_min_and_beyond_total():
    lr0, lr_min, total = 1.0, 0.1, 4
    assert cosine_annealing(0, lr0, total, lr_min) == 1.0
    assert cosine_annealing(2, lr0, total, lr_min) == pytest.approx(0.55, rel=1e-14)
    assert cosine_annealing(4, lr0, total, lr_min) == pytest.approx(0.1, rel=1e-14)
    assert cosine_annealing(5, lr0, total, lr_min) == 0.1          # stays at lr_min afterwards
    assert cosine_annealing(10 ** 9, lr0, total, lr_min) == 0.1
    assert cosine_annealing(3, 0.5, 6, lr_min=0.5) == 0.5          # lr_min = lr0: constant
    assert cosine_annealing(0, 0.5, 1) == 0.5 and cosine_annealing(1, 0.5, 1) == 0.0   # total = 1
    # symmetric about the midpoint: lr_t + lr_(total - t) = lr0 + lr_min
    for t in range(5):
        assert cosine_annealing(t, 0.3, 4, 0.1) + cosine_annealing(4 - t, 0.3, 4, 0.1) == pytest.approx(0.4)


# ----------------------------------------------------------------------------- warm-up

def test_linear_warmup_closed_form():
    got = [linear_warmup(t, 0.4, 4) for t in range(7)]
    assert got == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.4], rel=1e-15)
    assert linear_warmup(0, 0.4, 1) == 0.4                 # warmup = 1: no warm-up at all
    assert linear_warmup(0, 0.4, 4) > 0                    # the first step already moves


def test_linear_warmup_then_another_schedule():
    def after(s):
        return cosine_annealing(s, 0.4, 4)

    got = [linear_warmup(t, 0.4, 2, after=after) for t in range(8)]
    want = [0.2, 0.4] + [0.4 * (1 + math.cos(math.pi * s / 4)) / 2 for s in range(5)] + [0.0]
    assert got == pytest.approx(want, rel=1e-14, abs=1e-18)
    seen = []
    linear_warmup(5, 1.0, 3, after=lambda s: seen.append(s) or 0.5)
    assert seen == [2]                                     # after() counts from the end of the warm-up
    assert type(linear_warmup(5, 1.0, 3, after=lambda s: np.float32(0.5))) is float


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("fn,kwargs", [
    (step_decay, dict(lr0=0.1)),
    (cosine_annealing, dict(lr0=0.1, total=10)),
    (linear_warmup, dict(lr0=0.1, warmup=5)),
])
def test_the_step_number_is_validated(fn, kwargs):
    with pytest.raises(ValueError, match=r"\bt\b"):
        fn(-1, **kwargs)
    for bad in (1.0, 2.5, "3", None, True):
        with pytest.raises(TypeError, match=r"\bt\b"):
            fn(bad, **kwargs)
    for bad in (0.0, -0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="lr0"):
            fn(0, **{**kwargs, "lr0": bad})
    with pytest.raises(TypeError, match="lr0"):
        fn(0, **{**kwargs, "lr0": "0.1"})


def test_settings_are_validated_by_name():
    with pytest.raises(ValueError, match="drop"):
        step_decay(0, 0.1, drop=0.0)
    with pytest.raises(ValueError, match="drop"):
        step_decay(0, 0.1, drop=1.5)
    with pytest.raises(ValueError, match="every"):
        step_decay(0, 0.1, every=0)
    with pytest.raises(TypeError, match="every"):
        step_decay(0, 0.1, every=2.0)
    with pytest.raises(ValueError, match="total"):
        cosine_annealing(0, 0.1, 0)
    with pytest.raises(TypeError, match="total"):
        cosine_annealing(0, 0.1, 10.0)
    with pytest.raises(ValueError, match="lr_min"):
        cosine_annealing(0, 0.1, 10, lr_min=-1e-3)
    with pytest.raises(ValueError, match="lr_min"):
        cosine_annealing(0, 0.1, 10, lr_min=0.2)
    with pytest.raises(ValueError, match="warmup"):
        linear_warmup(0, 0.1, 0)
    with pytest.raises(TypeError, match="warmup"):
        linear_warmup(0, 0.1, 2.0)
    with pytest.raises(TypeError, match="after"):
        linear_warmup(0, 0.1, 2, after=0.1)
    with pytest.raises(ValueError, match="after"):
        linear_warmup(3, 0.1, 2, after=lambda s: -1.0)


# ----------------------------------------------------------------------------- in train()

def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 2)) + 3.0 * np.eye(3, 2)[y]
    return X, y


def test_train_per_step_schedule_sets_lr_before_every_step():
    X, y = blobs()                                   # 60 samples, batches of 16: 4 steps per epoch
    opt = SGD(lr=123.0)                              # overwritten by the schedule before each step
    seen = []

    def schedule(t):
        seen.append(t)
        return cosine_annealing(t, 0.1, 12)

    h = train(MLP([2, 8, 3], np.random.default_rng(1)), opt, X, y, epochs=3, batch_size=16,
              rng=np.random.default_rng(2), progress=False, lr_schedule=schedule, lr_schedule_unit="step")
    assert seen == list(range(12))                   # t = number of steps taken so far
    assert h.step_lr == pytest.approx([cosine_annealing(t, 0.1, 12) for t in range(12)], rel=1e-15)
    assert h.lr == [h.step_lr[0], h.step_lr[4], h.step_lr[8]]      # per epoch: its first step's lr
    assert len(h.step_lr) == len(h.step_loss)
    assert opt.lr == h.step_lr[-1]


def test_train_per_epoch_schedule_and_step_lr():
    X, y = blobs()
    h = train(MLP([2, 8, 3], np.random.default_rng(1)), SGD(lr=0.1), X, y, epochs=4, batch_size=16,
              progress=False, lr_schedule=lambda e: step_decay(e, 0.1, drop=0.5, every=2))
    assert h.lr == pytest.approx([0.1, 0.1, 0.05, 0.05], rel=1e-15)
    assert h.step_lr == pytest.approx(np.repeat(h.lr, 4).tolist(), rel=1e-15)   # the default unit: epochs
    h = train(MLP([2, 8, 3], np.random.default_rng(1)), SGD(lr=0.05), X, y, epochs=2, batch_size=16,
              progress=False)
    assert h.lr == [0.05, 0.05] and h.step_lr == [0.05] * 8 # no schedule: the optimizer's lr


def test_train_constant_schedule_equals_no_schedule():
    X, y = blobs()
    runs = []
    for kwargs in [dict(), dict(lr_schedule=lambda t: 1e-2, lr_schedule_unit="step"),
                   dict(lr_schedule=lambda t: 1e-2)]:
        net = MLP([2, 8, 3], np.random.default_rng(1))
        train(net, Adam(lr=1e-2), X, y, epochs=2, batch_size=16, rng=np.random.default_rng(2),
              progress=False, **kwargs)
        runs.append(net.params)
    for other in runs[1:]:
        for name in runs[0]:
            np.testing.assert_array_equal(runs[0][name], other[name])


def test_train_schedule_unit_and_values_are_validated():
    X, y = blobs(n=10)
    kw = dict(epochs=1, progress=False)
    with pytest.raises(ValueError, match="lr_schedule_unit"):
        train(MLP([2, 4, 3], np.random.default_rng(1)), SGD(lr=0.1), X, y, lr_schedule=lambda t: 0.1,
              lr_schedule_unit="batch", **kw)
    with pytest.raises(ValueError, match="lr_schedule"):
        train(MLP([2, 4, 3], np.random.default_rng(1)), SGD(lr=0.1), X, y, lr_schedule=lambda t: 0.0,
              lr_schedule_unit="step", **kw)
