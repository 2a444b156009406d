"""Mutant tests of chapter 10 (hyperparameter tuning): the graded test cells must catch realistic
wrong implementations of train_val_test_split, log_uniform, random_search and
early_stopping_epoch, and accept correct ones written differently."""
import copy
import math

import numpy as np
import pytest

from nntrain.tuning import early_stopping_epoch as _lib_early_stopping_epoch
from nntrain.tuning import log_uniform as _lib_log_uniform
from nntrain.tuning import random_search as _lib_random_search
from nntrain.tuning import train_val_test_split as _lib_train_val_test_split
from tests.harness import mutant_tests

CHAPTER = "10_tuning"


def _parts(X, y, train, val, test):
    return X[train], y[train], X[val], y[val], X[test], y[test]


# ------------------------------------------------------------------ train_val_test_split: wrong

def split__no_shuffle(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    idx = np.arange(N)
    return _parts(X, y, idx[n_val + n_test:], idx[:n_val], idx[n_val:n_val + n_test])


def split__int_truncation(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = int(val_frac * N), int(test_frac * N)
    p = rng.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__round_half_up(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = int(val_frac * N + 0.5), int(test_frac * N + 0.5)
    p = rng.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__ceil(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = math.ceil(val_frac * N), math.ceil(test_frac * N)
    p = rng.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__train_size_first(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_train = round((1 - val_frac - test_frac) * N)
    n_val = round(val_frac * N)
    p = rng.permutation(N)
    return _parts(X, y, p[:n_train], p[n_train:n_train + n_val], p[n_train + n_val:])


def split__cumulative_fractions(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    a, b = round(val_frac * N), round((val_frac + test_frac) * N)
    p = rng.permutation(N)
    return _parts(X, y, p[b:], p[:a], p[a:b])


def split__separate_permutations(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    px, py = rng.permutation(N), rng.permutation(N)
    return (X[px[n_val + n_test:]], y[py[n_val + n_test:]], X[px[:n_val]], y[py[:n_val]],
            X[px[n_val:n_val + n_test]], y[py[n_val:n_val + n_test]])


def split__wrong_return_order(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.permutation(N)
    tr, va, te = p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test]
    return X[tr], X[va], X[te], y[tr], y[va], y[te]


def split__fractions_swapped(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(test_frac * N), round(val_frac * N)
    p = rng.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__independent_choices(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    val = rng.choice(N, round(val_frac * N), replace=False)
    test = rng.choice(N, round(test_frac * N), replace=False)         # may overlap val
    train = np.setdiff1d(np.arange(N), np.concatenate([val, test]))
    return _parts(X, y, train, val, test)


def split__with_replacement(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.integers(0, N, size=N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__global_rng(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = np.random.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__fixed_seed(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = np.random.default_rng(0).permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__rotation(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = np.roll(np.arange(N), int(rng.integers(N)))
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__shuffled_blocks(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    blocks = np.array_split(np.arange(N), 5)
    p = np.concatenate([blocks[i] for i in rng.permutation(5)])
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__in_place_shuffle(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.permutation(N)
    X[:] = X[p]
    y[:] = y[p]
    return X[n_val + n_test:], y[n_val + n_test:], X[:n_val], y[:n_val], X[n_val:n_val + n_test], y[n_val:n_val + n_test]


def split__copies_rng(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = copy.deepcopy(rng).permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__test_is_last_rows(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.permutation(N - n_test)
    return _parts(X, y, p[n_val:], p[:n_val], np.arange(N - n_test, N))


def split__ignores_fractions(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val = n_test = round(0.15 * N)
    p = rng.permutation(N)
    return _parts(X, y, p[n_val + n_test:], p[:n_val], p[n_val:n_val + n_test])


def split__y_not_shuffled(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.permutation(N)
    return (X[p[n_val + n_test:]], y[n_val + n_test:], X[p[:n_val]], y[:n_val],
            X[p[n_val:n_val + n_test]], y[n_val:n_val + n_test])


def split__stacked_float(X, y, rng, val_frac=0.15, test_frac=0.15):
    # glue y to X as a float column, shuffle the rows, cut them apart again
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    data = np.column_stack([X, y])[rng.permutation(N)]
    parts = data[n_val + n_test:], data[:n_val], data[n_val:n_val + n_test]
    out = []
    for part in parts:
        out += [part[:, :-1].astype(float), part[:, -1]]
    return tuple(out)


def split__delegates_top_level(X, y, rng, val_frac=0.15, test_frac=0.15):
    return _lib_train_val_test_split(X, y, rng, val_frac, test_frac)


def split__delegates_inside(X, y, rng, val_frac=0.15, test_frac=0.15):
    from nntrain import tuning
    return tuning.train_val_test_split(X, y, rng, val_frac=val_frac, test_frac=test_frac)


# ------------------------------------------------------------------ train_val_test_split: right

def split__boolean_masks(X, y, rng, val_frac=0.15, test_frac=0.15):
    # the members are random, but each part keeps the original row order
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    p = rng.permutation(N)
    part = np.zeros(N, dtype=int)
    part[p[:n_val]] = 1
    part[p[n_val:n_val + n_test]] = 2
    return X[part == 0], y[part == 0], X[part == 1], y[part == 1], X[part == 2], y[part == 2]


def split__train_first(X, y, rng, val_frac=0.15, test_frac=0.15):
    X, y = np.asarray(X), np.asarray(y)
    N = X.shape[0]
    n_val = round(val_frac * N)
    n_test = round(test_frac * N)
    n_train = N - n_val - n_test
    p = rng.permutation(N)
    return _parts(X, y, p[:n_train], p[n_train:n_train + n_val], p[n_train + n_val:])


def split__choice_then_rest(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    n_val, n_test = round(val_frac * N), round(test_frac * N)
    val = rng.choice(N, n_val, replace=False)
    rest = np.setdiff1d(np.arange(N), val)
    test = rng.choice(rest, n_test, replace=False)
    train = rng.permutation(np.setdiff1d(rest, test))
    return _parts(X, y, train, val, test)


def split__argsort_of_random(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    p = np.argsort(rng.random(N))
    test_p, val_p, train_p = np.split(p, [round(test_frac * N), round(test_frac * N) + round(val_frac * N)])
    return [X[train_p], y[train_p], X[val_p], y[val_p], X[test_p], y[test_p]]


def split__shuffle_copy(X, y, rng, val_frac=0.15, test_frac=0.15):
    N = len(X)
    idx = np.arange(N)
    rng.shuffle(idx)                                   # shuffles our own index array only
    Xs, ys = X[idx], y[idx]
    n_val, n_test = int(round(val_frac * N)), int(np.round(test_frac * N))
    return (Xs[n_val + n_test:], ys[n_val + n_test:], Xs[:n_val], ys[:n_val],
            Xs[n_val:n_val + n_test], ys[n_val:n_val + n_test])


# ------------------------------------------------------------------ log_uniform: wrong

def log_uniform__plain_uniform(low, high, size, rng):
    return rng.uniform(low, high, size)


def log_uniform__power_of_bounds(low, high, size, rng):
    return 10 ** rng.uniform(low, high, size)


def log_uniform__exp_of_log10(low, high, size, rng):
    return np.exp(rng.uniform(np.log10(low), np.log10(high), size))


def log_uniform__ten_to_ln(low, high, size, rng):
    return 10 ** rng.uniform(np.log(low), np.log(high), size)


def log_uniform__returns_log(low, high, size, rng):
    return rng.uniform(np.log(low), np.log(high), size)


def log_uniform__normal_in_log(low, high, size, rng):
    a, b = np.log(low), np.log(high)
    return np.exp(np.clip(rng.normal((a + b) / 2, (b - a) / 4, size), a, b))


def log_uniform__whole_decades(low, high, size, rng):
    return 10.0 ** rng.integers(round(np.log10(low)), round(np.log10(high)) + 1, size)


def log_uniform__high_not_logged(low, high, size, rng):
    return np.exp(rng.uniform(np.log(low), high, size))


def log_uniform__sorted(low, high, size, rng):
    return np.sort(np.exp(rng.uniform(np.log(low), np.log(high), size)))


def log_uniform__geomspace(low, high, size, rng):
    return np.geomspace(low, high, size)


def log_uniform__global_rng(low, high, size, rng):
    return np.exp(np.random.uniform(np.log(low), np.log(high), size))


def log_uniform__fixed_seed(low, high, size, rng):
    return np.exp(np.random.default_rng(0).uniform(np.log(low), np.log(high), size))


def log_uniform__copies_rng(low, high, size, rng):
    return np.exp(copy.deepcopy(rng).uniform(np.log(low), np.log(high), size))


def log_uniform__scalar(low, high, size, rng):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def log_uniform__one_too_few(low, high, size, rng):
    return np.exp(rng.uniform(np.log(low), np.log(high), max(size - 1, 1)))


def log_uniform__squared_uniform(low, high, size, rng):
    return low + (high - low) * rng.random(size) ** 4


def log_uniform__lognormal(low, high, size, rng):
    a, b = np.log(low), np.log(high)
    return np.clip(rng.lognormal((a + b) / 2, (b - a) / 3.5, size), low, high)


def log_uniform__returns_list(low, high, size, rng):
    return [float(np.exp(rng.uniform(np.log(low), np.log(high)))) for _ in range(size)]


def log_uniform__delegates_top_level(low, high, size, rng):
    return _lib_log_uniform(low, high, size, rng)


def log_uniform__delegates_inside(low, high, size, rng):
    from nntrain import tuning
    return np.array(tuning.log_uniform(low, high, size, rng))


# ------------------------------------------------------------------ log_uniform: right

def log_uniform__base10(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=size)


def log_uniform__ratio_power(low, high, size, rng):
    return low * (high / low) ** rng.random(size)


def log_uniform__loop(low, high, size, rng):
    out = []
    for _ in range(size):
        out.append(math.exp(rng.uniform(math.log(low), math.log(high))))
    return np.array(out)


def log_uniform__affine_in_log(low, high, size, rng):
    a = np.log(low)
    return np.exp(a + (np.log(high) - a) * rng.random(size))


def log_uniform__base2_clipped(low, high, size, rng):
    return np.clip(np.power(2.0, rng.uniform(np.log2(low), np.log2(high), size)), low, high)


def log_uniform__one_minus_random(low, high, size, rng):
    u = 1.0 - rng.random(size)                         # in (0, 1]
    return np.exp(np.log(low) + u * np.log(high / low))


# ------------------------------------------------------------------ random_search: helpers

def _draw(spec, rng):
    kind = spec[0]
    if kind == "log":
        return float(np.exp(rng.uniform(np.log(spec[1]), np.log(spec[2]))))
    if kind == "uniform":
        return float(rng.uniform(spec[1], spec[2]))
    return spec[1][int(rng.integers(len(spec[1])))]


def _draw_params(space, rng):
    return {name: _draw(spec, rng) for name, spec in space.items()}


# ------------------------------------------------------------------ random_search: wrong

def random_search__argmin(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    return min(trials, key=lambda t: t[1])[0], trials


def random_search__last_on_tie(train_eval, space, n_trials, rng):
    trials, best, best_score = [], None, -np.inf
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        score = train_eval(params)
        trials.append((params, score))
        if score >= best_score:
            best, best_score = params, score
    return best, trials


def random_search__returns_best_score(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    return max(s for _, s in trials), trials


def random_search__swapped_return(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    return trials, max(trials, key=lambda t: t[1])[0]


def random_search__shared_dict(train_eval, space, n_trials, rng):
    params, trials, best, best_score = {}, [], None, -np.inf
    for _ in range(n_trials):
        params.update(_draw_params(space, rng))
        score = train_eval(params)
        trials.append((params, score))
        if score > best_score:
            best, best_score = params, score
    return best, trials


def random_search__one_draw(train_eval, space, n_trials, rng):
    params = _draw_params(space, rng)
    trials = [(dict(params), train_eval(dict(params))) for _ in range(n_trials)]
    return trials[0][0], trials


def random_search__log_as_uniform(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            params[name] = float(rng.uniform(spec[1], spec[2])) if spec[0] != "choice" else _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__log10_of_bounds(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            params[name] = float(10 ** rng.uniform(spec[1], spec[2])) if spec[0] == "log" else _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__choice_never_last(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "choice":
                params[name] = spec[1][int(rng.integers(max(len(spec[1]) - 1, 1)))]
            else:
                params[name] = _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__choice_first(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {name: spec[1][0] if spec[0] == "choice" else _draw(spec, rng) for name, spec in space.items()}
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__one_number_per_trial(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        q = rng.random()                                # the same quantile for every hyperparameter
        params = {}
        for name, spec in space.items():
            if spec[0] == "log":
                params[name] = float(spec[1] * (spec[2] / spec[1]) ** q)
            elif spec[0] == "uniform":
                params[name] = float(spec[1] + (spec[2] - spec[1]) * q)
            else:
                params[name] = spec[1][min(int(q * len(spec[1])), len(spec[1]) - 1)]
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__reevaluates_best(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    best = max(trials, key=lambda t: t[1])[0]
    train_eval(best)                                    # "to be sure"
    return best, trials


def random_search__one_trial_short(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(1, n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    if not trials:
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__sorted_trials(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    trials.sort(key=lambda t: -t[1])
    return trials[0][0], trials


def random_search__running_best_score(train_eval, space, n_trials, rng):
    trials, best, best_score = [], None, -np.inf
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        score = train_eval(params)
        if score > best_score:
            best, best_score = params, score
        trials.append((params, best_score))
    return best, trials


def random_search__draws_twice(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        score = train_eval(_draw_params(space, rng))
        trials.append((_draw_params(space, rng), score))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__mutates_space(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "choice":
                options = spec[1]
                rng.shuffle(options)                    # shuffles the caller's list of options
                params[name] = options[0]
            else:
                params[name] = _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__global_rng(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, np.random.default_rng(np.random.randint(2 ** 31)))
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__uniform_as_normal(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "uniform":
                params[name] = float(np.clip(rng.normal((spec[1] + spec[2]) / 2, (spec[2] - spec[1]) / 4),
                                             spec[1], spec[2]))
            else:
                params[name] = _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__best_index(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        trials.append((params, train_eval(params)))
    return int(np.argmax([s for _, s in trials])), trials


def random_search__arrays_and_lists(train_eval, space, n_trials, rng):
    # 'log' values stored as arrays of shape (1,): every check on the scores passes, and then
    # optim.AdamW(lr=params["lr"], ...) in the chapter fails ("lr must be a real number")
    trials, best, best_score = [], None, None
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "log":
                params[name] = 10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2]), size=1)   # shape (1,)
            elif spec[0] == "uniform":
                params[name] = spec[1] + (spec[2] - spec[1]) * rng.random()
            else:
                params[name] = spec[1][rng.integers(0, len(spec[1]))]
        score = train_eval(params)
        trials.append([params, score])
        if best is None or score > best_score:
            best, best_score = params, score
    return best, trials


def random_search__one_element_arrays(train_eval, space, n_trials, rng):
    # the old hint taken literally: "use your log_uniform(low, high, 1, rng)" stores an array
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, (kind, *args) in space.items():
            if kind == "log":
                params[name] = log_uniform(args[0], args[1], 1, rng)      # noqa: F821 (the notebook's)
            elif kind == "uniform":
                params[name] = rng.uniform(args[0], args[1])
            else:
                params[name] = args[0][rng.integers(len(args[0]))]
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__uniform_size_one(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            params[name] = rng.uniform(spec[1], spec[2], size=1) if spec[0] == "uniform" else _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__best_score_starts_at_zero(train_eval, space, n_trials, rng):
    trials, best, best_score = [], None, 0.0              # wrong with negative scores
    for _ in range(n_trials):
        params = _draw_params(space, rng)
        score = train_eval(params)
        trials.append((params, score))
        if score > best_score:
            best, best_score = params, score
    return best, trials


def random_search__choice_index(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            params[name] = int(rng.integers(len(spec[1]))) if spec[0] == "choice" else _draw(spec, rng)
        trials.append((params, train_eval(params)))
    return max(trials, key=lambda t: t[1])[0], trials


def random_search__delegates_top_level(train_eval, space, n_trials, rng):
    return _lib_random_search(train_eval, space, n_trials, rng)


def random_search__delegates_run_trials(train_eval, space, n_trials, rng):
    # draws the settings itself but lets the library's trial runner (grid search's) pick the best
    from nntrain import tuning
    settings = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "log":
                params[name] = float(np.exp(rng.uniform(np.log(spec[1]), np.log(spec[2]))))
            elif spec[0] == "uniform":
                params[name] = float(rng.uniform(spec[1], spec[2]))
            else:
                params[name] = spec[1][int(rng.integers(len(spec[1])))]
        settings.append(params)
    return tuning._run_trials(train_eval, settings)


# ------------------------------------------------------------------ random_search: right

def random_search__rng_choice_sorted_names(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name in sorted(space):                      # another drawing order
            spec = space[name]
            if spec[0] == "log":
                params[name] = np.exp(rng.uniform(np.log(spec[1]), np.log(spec[2])))
            elif spec[0] == "uniform":
                params[name] = rng.uniform(spec[1], spec[2])
            else:
                params[name] = rng.choice(spec[1])
        trials.append((params, train_eval(params)))
    best = max(range(n_trials), key=lambda i: trials[i][1])      # max keeps the first of equals
    return trials[best][0], trials


def random_search__all_draws_first(train_eval, space, n_trials, rng):
    settings = [_draw_params(space, rng) for _ in range(n_trials)]
    scores = [train_eval(p) for p in settings]
    k = int(np.argmax(scores))
    return dict(settings[k]), list(zip(settings, scores))


def random_search__calls_log_uniform(train_eval, space, n_trials, rng):
    # builds on Exercise 2 (the notebook's log_uniform), as the hint says
    trials, best, best_score = [], None, -np.inf
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "log":
                params[name] = float(log_uniform(spec[1], spec[2], 1, rng)[0])     # noqa: F821
            elif spec[0] == "uniform":
                params[name] = float(rng.uniform(spec[1], spec[2]))
            else:
                params[name] = spec[1][int(rng.integers(len(spec[1])))]
        score = train_eval(dict(params))
        trials.append((params, score))
        if score > best_score:
            best, best_score = params, score
    return best, trials


def random_search__lists_and_numpy_scalars(train_eval, space, n_trials, rng):
    # NumPy scalars (np.float64, np.int64 from rng.choice) and [params, score] lists
    trials, best, best_score = [], None, None
    for _ in range(n_trials):
        params = {}
        for name, spec in reversed(list(space.items())):                 # yet another drawing order
            if spec[0] == "log":
                params[name] = np.exp(rng.uniform(np.log(spec[1]), np.log(spec[2]), size=1))[0]
            elif spec[0] == "uniform":
                params[name] = spec[1] + (spec[2] - spec[1]) * rng.random()
            else:
                params[name] = spec[1][rng.integers(0, len(spec[1]))]
        score = train_eval(params)
        trials.append([params, score])
        if best is None or score > best_score:
            best, best_score = params, score
    return best, trials


def random_search__uses_log_uniform(train_eval, space, n_trials, rng):
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, (kind, *args) in space.items():
            if kind == "log":
                params[name] = log_uniform__ratio_power(args[0], args[1], 1, rng).item()
            elif kind == "uniform":
                params[name] = rng.uniform(*args)
            else:
                params[name] = args[0][rng.integers(len(args[0]))]
        trials.append((params, float(train_eval(params))))
    scores = np.array([s for _, s in trials])
    return trials[int(np.flatnonzero(scores == scores.max())[0])][0], trials


# ------------------------------------------------------------------ early_stopping_epoch: wrong

def early_stopping__ties_improve(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] <= best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__one_epoch_late(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad > patience:
                break
    return best


def early_stopping__one_epoch_early(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
        if bad >= patience - 1 and e > best:
            break
    return best


def early_stopping__returns_stop_epoch(val_losses, patience):
    best_loss, bad = val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best_loss, bad = val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                return e
    return len(val_losses) - 1


def early_stopping__one_based(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best + 1


def early_stopping__argmin_of_all(val_losses, patience):
    return int(np.argmin(val_losses))


def early_stopping__last_of_ties(val_losses, patience):
    best_loss, bad, seen = val_losses[0], 0, 1
    for e in range(1, len(val_losses)):
        seen = e + 1
        if val_losses[e] < best_loss:
            best_loss, bad = val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    window = np.asarray(val_losses[:seen])
    return int(len(window) - 1 - np.argmin(window[::-1]))


def early_stopping__no_reset(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss = e, val_losses[e]
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__compares_previous(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < val_losses[e - 1]:
            bad = 0
            if val_losses[e] < best_loss:
                best, best_loss = e, val_losses[e]
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__min_delta(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss - 1e-3:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__returns_loss(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(1, len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best_loss


def early_stopping__best_starts_at_zero(val_losses, patience):
    best, best_loss, bad = 0, 0.0, 0
    for e in range(len(val_losses)):
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__first_epoch_counts_as_bad(val_losses, patience):
    best, best_loss, bad = 0, val_losses[0], 0
    for e in range(len(val_losses)):                    # epoch 0 compared with itself: "no improvement"
        if val_losses[e] < best_loss:
            best, best_loss, bad = e, val_losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__appends_sentinel(val_losses, patience):
    losses = val_losses
    if isinstance(losses, list):
        losses.append(math.inf)                         # a sentinel at the end (modifies the caller's list)
    best, best_loss, bad = 0, losses[0], 0
    for e in range(1, len(losses)):
        if losses[e] < best_loss:
            best, best_loss, bad = e, losses[e], 0
        else:
            bad += 1
            if bad == patience:
                break
    return best


def early_stopping__delegates_top_level(val_losses, patience):
    return _lib_early_stopping_epoch(val_losses, patience)


def early_stopping__delegates_training_loop(val_losses, patience):
    # the training loop's early-stopping step, which applies the library's rule
    from nntrain.train import _early_stopping
    for n in range(1, len(val_losses) + 1):
        verdict = _early_stopping(list(val_losses[:n]), patience)
        if verdict.stop:
            break
    return verdict.best


# ------------------------------------------------------------------ early_stopping_epoch: right

def early_stopping__window(val_losses, patience):
    losses = [float(v) for v in val_losses]
    best = 0
    for e in range(1, len(losses)):
        if e - best > patience:                          # patience epochs after the best have passed
            break
        if losses[e] < losses[best]:
            best = e
    return best


def early_stopping__stop_minus_patience(val_losses, patience):
    # training stops exactly `patience` epochs after the best one; if it never stops, the first
    # minimum of the whole list is the best
    losses = np.asarray(val_losses, dtype=np.float64)
    best_loss, bad = np.inf, 0
    for e, loss in enumerate(losses):
        if loss < best_loss:
            best_loss, bad = loss, 0
        else:
            bad += 1
            if bad == patience:
                return e - patience
    return int(np.argmin(losses))


def early_stopping__vectorized(val_losses, patience):
    l = np.asarray(val_losses, dtype=float)
    n = len(l)
    prev_best = np.concatenate([[np.inf], np.minimum.accumulate(l)[:-1]])
    idx = np.arange(n)
    last_improvement = np.maximum.accumulate(np.where(l < prev_best, idx, 0))
    stops = np.flatnonzero(idx - last_improvement >= patience)
    end = stops[0] if len(stops) else n - 1
    return last_improvement[end]                        # a NumPy integer


def early_stopping__tuple_compare(val_losses, patience):
    best = (val_losses[0], 0)
    since = 0
    for e, loss in enumerate(val_losses):
        if e == 0:
            continue
        if (loss, e) < best:                            # a lower loss; an equal loss has a larger e
            best, since = (loss, e), 0
        else:
            since += 1
        if since >= patience:
            break
    return best[1]


WRONG = [
    ("train_val_test_split", f) for f in [
        split__no_shuffle, split__int_truncation, split__round_half_up, split__ceil, split__train_size_first,
        split__cumulative_fractions, split__separate_permutations, split__wrong_return_order,
        split__fractions_swapped, split__independent_choices, split__with_replacement, split__global_rng,
        split__fixed_seed, split__rotation, split__shuffled_blocks, split__in_place_shuffle, split__copies_rng,
        split__test_is_last_rows, split__ignores_fractions, split__y_not_shuffled, split__stacked_float,
        split__delegates_top_level, split__delegates_inside]
] + [
    ("log_uniform", f) for f in [
        log_uniform__plain_uniform, log_uniform__power_of_bounds, log_uniform__exp_of_log10,
        log_uniform__ten_to_ln, log_uniform__returns_log, log_uniform__normal_in_log, log_uniform__whole_decades,
        log_uniform__high_not_logged, log_uniform__sorted, log_uniform__geomspace, log_uniform__global_rng,
        log_uniform__fixed_seed, log_uniform__copies_rng, log_uniform__scalar, log_uniform__one_too_few,
        log_uniform__squared_uniform, log_uniform__lognormal, log_uniform__returns_list,
        log_uniform__delegates_top_level, log_uniform__delegates_inside]
] + [
    ("random_search", f) for f in [
        random_search__argmin, random_search__last_on_tie, random_search__returns_best_score,
        random_search__swapped_return, random_search__shared_dict, random_search__one_draw,
        random_search__log_as_uniform, random_search__log10_of_bounds, random_search__choice_never_last,
        random_search__choice_first, random_search__one_number_per_trial, random_search__reevaluates_best,
        random_search__one_trial_short, random_search__sorted_trials, random_search__running_best_score,
        random_search__draws_twice, random_search__mutates_space, random_search__global_rng,
        random_search__uniform_as_normal, random_search__best_index, random_search__arrays_and_lists,
        random_search__one_element_arrays, random_search__uniform_size_one, random_search__choice_index,
        random_search__best_score_starts_at_zero,
        random_search__delegates_top_level, random_search__delegates_run_trials]
] + [
    ("early_stopping_epoch", f) for f in [
        early_stopping__ties_improve, early_stopping__one_epoch_late, early_stopping__one_epoch_early,
        early_stopping__returns_stop_epoch, early_stopping__one_based, early_stopping__argmin_of_all,
        early_stopping__last_of_ties, early_stopping__no_reset, early_stopping__compares_previous,
        early_stopping__min_delta, early_stopping__returns_loss, early_stopping__best_starts_at_zero,
        early_stopping__first_epoch_counts_as_bad, early_stopping__appends_sentinel,
        early_stopping__delegates_top_level, early_stopping__delegates_training_loop]
]

RIGHT = [
    ("train_val_test_split", f) for f in [
        split__boolean_masks, split__train_first, split__choice_then_rest, split__argsort_of_random,
        split__shuffle_copy]
] + [
    ("log_uniform", f) for f in [
        log_uniform__base10, log_uniform__ratio_power, log_uniform__loop, log_uniform__affine_in_log,
        log_uniform__base2_clipped, log_uniform__one_minus_random]
] + [
    ("random_search", f) for f in [
        random_search__rng_choice_sorted_names, random_search__all_draws_first,
        random_search__calls_log_uniform, random_search__lists_and_numpy_scalars,
        random_search__uses_log_uniform]
] + [
    ("early_stopping_epoch", f) for f in [
        early_stopping__window, early_stopping__stop_minus_patience, early_stopping__vectorized,
        early_stopping__tuple_compare]
]


(test_wrong_implementation_loses_points, test_correct_implementation_earns_full_points,
 test_solution_passes_every_test) = mutant_tests(CHAPTER, WRONG, RIGHT)
