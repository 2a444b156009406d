"""Tests of nntrain.tuning: splits, log-uniform sampling, random/grid search, early stopping."""
import math

import numpy as np
import pytest

from nntrain.reference import DelegationError, forbid
from nntrain.tuning import (early_stopping_epoch, grid_search, log_uniform, random_search,
                            train_val_test_split)


def rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- split

@pytest.mark.parametrize("n, val_frac, test_frac", [
    (100, 0.15, 0.15), (1797, 0.15, 0.15), (10, 0.25, 0.25),   # round(2.5) = 2 (to even)
    (7, 0.5, 0.0), (30, 0.0, 0.1), (11, 0.05, 0.45)])
def test_split_sizes_use_python_round(n, val_frac, test_frac):
    X = np.arange(n * 3, dtype=float).reshape(n, 3)
    y = np.arange(n)
    Xtr, ytr, Xva, yva, Xte, yte = train_val_test_split(X, y, rng(), val_frac, test_frac)
    assert len(Xva) == len(yva) == round(val_frac * n)
    assert len(Xte) == len(yte) == round(test_frac * n)
    assert len(Xtr) == len(ytr) == n - round(val_frac * n) - round(test_frac * n)


def test_split_sizes_for_digits_defaults():
    X, y = np.zeros((1797, 2)), np.zeros(1797, dtype=int)
    parts = train_val_test_split(X, y, rng())
    assert [len(p) for p in parts] == [1257, 1257, 270, 270, 270, 270]


def test_split_is_a_disjoint_complete_shuffled_partition_with_pairs_kept():
    n = 200
    X = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(float)   # row i is (i, -i)
    y = np.arange(n) * 10                                              # y[i] = 10 i
    Xtr, ytr, Xva, yva, Xte, yte = train_val_test_split(X, y, rng(3), 0.2, 0.1)
    ids = np.concatenate([Xtr[:, 0], Xva[:, 0], Xte[:, 0]]).astype(int)
    assert sorted(ids.tolist()) == list(range(n))                       # disjoint and complete
    for Xp, yp in [(Xtr, ytr), (Xva, yva), (Xte, yte)]:
        np.testing.assert_array_equal(yp, Xp[:, 0] * 10)                # pairs kept
        np.testing.assert_array_equal(Xp[:, 1], -Xp[:, 0])              # rows kept whole
    assert not np.array_equal(ids, np.arange(n))                        # shuffled
    # not just a rotation: the validation part is not a contiguous block of the original
    assert not np.array_equal(np.sort(Xva[:, 0]), np.arange(Xva[0, 0], Xva[0, 0] + len(Xva)))


def test_split_depends_on_rng_and_is_reproducible():
    X, y = np.arange(50.0)[:, None], np.arange(50)
    a = train_val_test_split(X, y, rng(1))
    b = train_val_test_split(X, y, rng(1))
    c = train_val_test_split(X, y, rng(2))
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)
    assert not np.array_equal(a[2], c[2])


def test_split_keeps_trailing_shapes_and_dtype_and_does_not_mutate():
    X = rng().standard_normal((40, 2, 3)).astype(np.float32)
    y = np.arange(40)
    X0, y0 = X.copy(), y.copy()
    Xtr, ytr, Xva, yva, Xte, yte = train_val_test_split(X, y, rng())
    assert Xtr.shape[1:] == (2, 3) and Xtr.dtype == np.float32
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    Xtr[...] = 0                                          # new arrays, not views into X
    np.testing.assert_array_equal(X, X0)


def test_split_bad_input():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="y"):
        train_val_test_split(X, np.zeros(9), rng())
    with pytest.raises(ValueError, match="val_frac"):
        train_val_test_split(X, y, rng(), val_frac=1.0)
    with pytest.raises(ValueError, match="test_frac"):
        train_val_test_split(X, y, rng(), test_frac=-0.1)
    with pytest.raises(TypeError, match="val_frac"):
        train_val_test_split(X, y, rng(), val_frac="0.1")
    with pytest.raises(ValueError, match="no training samples"):
        train_val_test_split(X, y, rng(), val_frac=0.5, test_frac=0.5)
    with pytest.raises(TypeError, match="rng"):
        train_val_test_split(X, y, 0)


# ----------------------------------------------------------------------------- log_uniform

def test_log_uniform_bounds_shape_and_log_moments():
    low, high = 1e-5, 1e-1
    x = log_uniform(low, high, 20000, rng())
    assert x.shape == (20000,)
    assert np.all((x >= low) & (x <= high))
    logs = np.log(x)
    # log x ~ U(log low, log high): mean (a+b)/2, variance (b-a)²/12
    a, b = math.log(low), math.log(high)
    assert abs(logs.mean() - (a + b) / 2) < 0.03
    assert abs(logs.var() - (b - a) ** 2 / 12) < 0.05
    # each decade holds about a quarter of the samples
    counts = np.histogram(np.log10(x), bins=[-5, -4, -3, -2, -1])[0] / x.size
    np.testing.assert_allclose(counts, 0.25, atol=0.02)
    # the median is the geometric mean sqrt(low * high) = 1e-3, not (low + high) / 2 = 0.05
    assert np.median(x) == pytest.approx(math.sqrt(low * high), rel=0.1)


def test_log_uniform_tuple_size_and_reproducible():
    a = log_uniform(0.1, 10, (3, 4), rng(5))
    b = log_uniform(0.1, 10, (3, 4), rng(5))
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a, b)


def test_log_uniform_bad_input():
    with pytest.raises(ValueError, match="low"):
        log_uniform(0.0, 1.0, 3, rng())
    with pytest.raises(ValueError, match="low"):
        log_uniform(1.0, 0.5, 3, rng())
    with pytest.raises(ValueError, match="high"):
        log_uniform(1.0, -1.0, 3, rng())
    with pytest.raises(ValueError, match="size"):
        log_uniform(1.0, 2.0, -1, rng())
    with pytest.raises(TypeError, match="size"):
        log_uniform(1.0, 2.0, 2.5, rng())
    with pytest.raises(TypeError, match="rng"):
        log_uniform(1.0, 2.0, 3, None)


# ----------------------------------------------------------------------------- the search space

SPACE = {"lr": ("log", 1e-4, 1e-1), "p": ("uniform", 0.1, 0.6), "width": ("choice", [16, 64, 256])}


def sample_params(space, g, n=1):
    """The settings random search draws from ``space`` (n trials), in order."""
    _, trials = random_search(lambda params: 0.0, space, n, g)
    return [params for params, _ in trials] if n > 1 else trials[0][0]


def test_random_search_draws_ranges_and_types():
    g = rng(2)
    draws = sample_params(SPACE, g, 300)
    assert all(list(d) == ["lr", "p", "width"] for d in draws)
    lrs = np.array([d["lr"] for d in draws])
    ps = np.array([d["p"] for d in draws])
    assert np.all((lrs >= 1e-4) & (lrs <= 1e-1)) and np.all((ps >= 0.1) & (ps <= 0.6))
    assert all(type(d["lr"]) is float and type(d["p"]) is float for d in draws)
    widths = [d["width"] for d in draws]
    assert set(widths) == {16, 64, 256} and all(type(w) is int for w in widths)
    assert abs(np.mean(np.log10(lrs)) - (-2.5)) < 0.15          # log-uniform, not uniform


def test_random_search_bad_space():
    g = rng()
    with pytest.raises(TypeError, match="space"):
        sample_params([("lr", "log", 1, 2)], g)
    with pytest.raises(ValueError, match=r"space\['lr'\]"):
        sample_params({"lr": ("loguniform", 1e-3, 1e-1)}, g)
    with pytest.raises(ValueError, match=r"space\['lr'\]"):
        sample_params({"lr": ("log", 0.0, 1e-1)}, g)
    with pytest.raises(ValueError, match=r"space\['lr'\]"):
        sample_params({"lr": ("log", 1e-1, 1e-3)}, g)
    with pytest.raises(ValueError, match=r"space\['p'\]"):
        sample_params({"p": ("uniform", 0.5, 0.5)}, g)
    with pytest.raises(ValueError, match=r"space\['w'\]"):
        sample_params({"w": ("choice", [])}, g)
    with pytest.raises(ValueError, match=r"space\['w'\]"):
        sample_params({"w": ("choice", 16, 64)}, g)
    with pytest.raises(TypeError, match=r"space\['p'\]"):
        sample_params({"p": ("uniform", "0", 1)}, g)


# ----------------------------------------------------------------------------- random_search

def _toy_score(params):
    return -abs(math.log10(params["lr"]) + 2) + params["width"] / 1000


def test_random_search_calls_train_eval_n_times_and_records_trials_in_order():
    calls = []

    def train_eval(params):
        calls.append(dict(params))
        return _toy_score(params)

    best, trials = random_search(train_eval, SPACE, 25, rng(4))
    assert len(calls) == len(trials) == 25
    assert [p for p, _ in trials] == calls                             # order run
    assert all(isinstance(t, tuple) and len(t) == 2 for t in trials)
    for params, score in trials:
        assert 1e-4 <= params["lr"] <= 1e-1 and 0.1 <= params["p"] <= 0.6
        assert params["width"] in (16, 64, 256)
        assert score == _toy_score(params)
    scores = [s for _, s in trials]
    assert best == trials[int(np.argmax(scores))][0]
    assert len({p["lr"] for p, _ in trials}) == 25                    # fresh draws every trial


def test_random_search_first_trial_wins_a_tie():
    scores = iter([0.5, 0.9, 0.2, 0.9, 0.9, 0.1])
    best, trials = random_search(lambda p: next(scores), {"x": ("uniform", 0, 1)}, 6, rng(1))
    assert best == trials[1][0]
    assert best != trials[3][0]


def test_random_search_chooses_by_score_only_and_nan_never_wins():
    scores = iter([float("nan"), 0.3, 0.7, float("nan")])
    best, trials = random_search(lambda p: next(scores), {"x": ("uniform", 0, 1)}, 4, rng(1))
    assert best == trials[2][0]
    assert math.isnan(trials[0][1])


def test_random_search_is_reproducible_and_train_eval_cannot_alter_the_record():
    def train_eval(params):
        params["lr"] = -1.0          # a careless train_eval
        return 1.0

    _, t1 = random_search(train_eval, SPACE, 5, rng(9))
    _, t2 = random_search(lambda p: 1.0, SPACE, 5, rng(9))
    assert [p for p, _ in t1] == [p for p, _ in t2]
    assert all(p["lr"] > 0 for p, _ in t1)


def test_random_search_bad_input():
    with pytest.raises(TypeError, match="n_trials"):
        random_search(lambda p: 0.0, SPACE, 2.0, rng())
    with pytest.raises(ValueError, match="n_trials"):
        random_search(lambda p: 0.0, SPACE, 0, rng())
    with pytest.raises(TypeError, match="train_eval"):
        random_search(None, SPACE, 2, rng())
    with pytest.raises(TypeError, match="train_eval"):
        random_search(lambda p: "good", SPACE, 2, rng())
    with pytest.raises(ValueError, match="space"):
        random_search(lambda p: 0.0, {"lr": ("log", -1, 1)}, 2, rng())
    with pytest.raises(TypeError, match="rng"):
        random_search(lambda p: 0.0, SPACE, 2, 42)


# ----------------------------------------------------------------------------- grid_search

def test_grid_search_tries_every_combination_in_product_order():
    grid = {"a": [1, 2, 3], "b": ["x", "y"]}
    best, trials = grid_search(lambda p: p["a"] * (p["b"] == "x"), grid)
    assert [p for p, _ in trials] == [{"a": a, "b": b} for a in (1, 2, 3) for b in ("x", "y")]
    assert best == {"a": 3, "b": "x"}
    best, _ = grid_search(lambda p: 1.0, grid)                 # all tie: the first wins
    assert best == {"a": 1, "b": "x"}


def test_grid_search_bad_input():
    with pytest.raises(TypeError, match="grid"):
        grid_search(lambda p: 0.0, {})
    with pytest.raises(ValueError, match=r"grid\['a'\]"):
        grid_search(lambda p: 0.0, {"a": []})


# ----------------------------------------------------------------------------- early stopping

@pytest.mark.parametrize("losses, patience, expected", [
    ([1.0, 0.8, 0.9, 0.8, 0.7], 2, 1),     # stops after epoch 3; the 0.7 is never seen
    ([1.0, 0.8, 0.9, 0.8, 0.7], 3, 4),     # patience 3 reaches it
    ([2.0, 1.0, 1.0, 1.0, 0.5], 3, 4),     # ties are not improvements, but 3 > 2 waited
    ([2.0, 1.0, 1.0, 1.0, 0.5], 2, 1),     # two ties in a row: stop, keep the FIRST 1.0
    ([3.0, 2.0, 2.5, 1.0], 1, 1),          # patience 1: the first bad epoch stops
    ([3.0, 2.0, 1.0, 0.5], 1, 3),          # always improving: the last epoch
    ([1.0, 2.0, 3.0, 4.0], 10, 0),         # never improving: epoch 0
    ([1.0, 2.0, 3.0, 4.0], 1, 0),
    ([5.0, 4.0, 4.5, 4.6, 3.0], 3, 4),     # improvement at the last epoch, just in time
    ([5.0, 4.0, 4.5, 4.6, 3.0], 2, 1),     # ... and just too late
    ([0.7], 1, 0),                         # a single epoch
    ([1.0, 1.0, 1.0], 5, 0),               # all equal: the first
])
def test_early_stopping_epoch_hand_made(losses, patience, expected):
    assert early_stopping_epoch(losses, patience) == expected
    assert type(early_stopping_epoch(losses, patience)) is int


def test_early_stopping_epoch_accepts_arrays_float32_and_does_not_mutate():
    losses = np.array([1.0, 0.5, 0.6, 0.4, 0.45], dtype=np.float32)
    before = losses.copy()
    assert early_stopping_epoch(losses, 2) == 3
    np.testing.assert_array_equal(losses, before)


def test_early_stopping_epoch_bad_input():
    with pytest.raises(ValueError, match="patience"):
        early_stopping_epoch([1.0, 2.0], 0)
    with pytest.raises(TypeError, match="patience"):
        early_stopping_epoch([1.0, 2.0], 1.5)
    with pytest.raises(TypeError, match="patience"):
        early_stopping_epoch([1.0, 2.0], True)
    with pytest.raises(ValueError, match="val_losses"):
        early_stopping_epoch([], 2)
    with pytest.raises(ValueError, match="val_losses"):
        early_stopping_epoch([[1.0, 2.0]], 2)
    with pytest.raises(ValueError, match="val_losses"):
        early_stopping_epoch([1.0, float("nan")], 2)


def test_references_are_registered_and_guarded():
    with forbid("early_stopping_epoch"):
        with pytest.raises(DelegationError):
            early_stopping_epoch([1.0, 0.5], 1)
    with forbid("log_uniform", "random_search", "train_val_test_split"):
        for call in (lambda: log_uniform(1, 2, 3, rng()),
                     lambda: random_search(lambda p: 0.0, SPACE, 1, rng()),
                     lambda: train_val_test_split(np.zeros((4, 1)), np.zeros(4), rng())):
            with pytest.raises(DelegationError):
                call()
