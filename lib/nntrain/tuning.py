"""Hyperparameter tuning (超参数调优): data splits, random search, early stopping.

The lecture's recipe: split the data into a training set (训练集), a validation set (验证集)
and a test set (测试集); train on the first, choose hyperparameters by the score on the
second, and report the third once, at the very end.

- :func:`train_val_test_split` makes the three disjoint parts.
- :func:`log_uniform` draws scale parameters such as lr "uniformly in the exponent".
- :func:`random_search` / :func:`grid_search` run ``train_eval(params) -> score`` on many
  hyperparameter settings and keep the best validation score.
- :func:`early_stopping_epoch` picks the epoch whose weights to keep (:func:`nntrain.train.train`
  applies it after every evaluation).
"""
from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .checks import as_float_array, check_fraction, check_int, check_positive, check_rng
from .reference import guard, reference

__all__ = [
    "train_val_test_split",
    "log_uniform",
    "random_search",
    "grid_search",
    "early_stopping_epoch",
]


# ----------------------------------------------------------------------------- splitting

@reference("train_val_test_split")
def train_val_test_split(X, y, rng, val_frac=0.15, test_frac=0.15):
    """Shuffle the samples and cut them into disjoint training, validation and test sets.

    Parameters
    ----------
    X : array (N, ...)  -- one sample per row (first axis)
    y : array (N, ...)  -- the targets, y[i] belongs to X[i]
    rng : numpy.random.Generator
    val_frac, test_frac : fractions in [0, 1) of N for the validation and test sets

    Returns
    -------
    X_train, y_train, X_val, y_val, X_test, y_test : new arrays.
        n_val = round(val_frac * N) and n_test = round(test_frac * N) (Python's round, which
        rounds halves to even); the training set holds the remaining N - n_val - n_test.
        Every sample lands in exactly one part, each X row still paired with its own y.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 1:
        raise ValueError("X must have at least one dimension (one sample per row)")
    if y.ndim < 1:
        raise ValueError("y must have at least one dimension (one target per sample)")
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"y must have one entry per row of X: X has {n} rows, y has {y.shape[0]}")
    val_frac = check_fraction(val_frac, "val_frac")
    test_frac = check_fraction(test_frac, "test_frac")
    check_rng(rng)
    n_val = round(val_frac * n)
    n_test = round(test_frac * n)
    if n_val + n_test >= n:
        raise ValueError(f"val_frac={val_frac} and test_frac={test_frac} leave no training samples "
                         f"out of N={n} (n_val={n_val}, n_test={n_test})")
    perm = rng.permutation(n)
    val, test, train = perm[:n_val], perm[n_val:n_val + n_test], perm[n_val + n_test:]
    return X[train], y[train], X[val], y[val], X[test], y[test]


# ----------------------------------------------------------------------------- sampling

def _check_size(size):
    if isinstance(size, tuple):
        return tuple(check_int(s, "size", minimum=0) for s in size)
    return check_int(size, "size", minimum=0)


@reference("log_uniform")
def log_uniform(low, high, size, rng):
    """Samples whose logarithm is uniform on [log low, log high]:  x = exp(u), u ~ U(log low, log high).

    Each decade (1e-4..1e-3, 1e-3..1e-2, ...) gets the same share of the samples, which is
    what a scale parameter such as the learning rate lr needs.  0 < low < high; ``size`` is
    an int or a tuple of ints (NumPy's convention).  Returns a float64 array of that shape,
    every value in [low, high].
    """
    low = check_positive(low, "low")
    high = check_positive(high, "high")
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    size = _check_size(size)
    check_rng(rng)
    u = rng.uniform(np.log(low), np.log(high), size=size)
    # exp(log(x)) may miss x by one rounding step: keep the samples inside [low, high]
    return np.clip(np.exp(u), low, high)


_KINDS = ("log", "uniform", "choice")


def _check_space(space):
    """Validate a search space; ``ValueError`` / ``TypeError`` naming the faulty entry."""
    if not isinstance(space, dict):
        raise TypeError(f"space must be a dict mapping a name to a spec, got {type(space).__name__}")
    for name, spec in space.items():
        where = f"space[{name!r}]"
        if not isinstance(spec, (tuple, list)) or not spec or spec[0] not in _KINDS:
            raise ValueError(f"{where} must be ('log', low, high), ('uniform', low, high) "
                             f"or ('choice', [options]), got {spec!r}")
        kind = spec[0]
        if kind == "choice":
            if len(spec) != 2 or not isinstance(spec[1], (list, tuple)) or len(spec[1]) == 0:
                raise ValueError(f"{where} must be ('choice', [options]) with a non-empty list, got {spec!r}")
            continue
        if len(spec) != 3:
            raise ValueError(f"{where} must be ({kind!r}, low, high), got {spec!r}")
        for bound in spec[1:]:
            if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, numbers.Real) \
                    or not math.isfinite(bound):
                raise TypeError(f"{where}: low and high must be finite real numbers, got {spec!r}")
        low, high = spec[1], spec[2]
        if kind == "log" and not 0 < low < high:
            raise ValueError(f"{where}: a 'log' range needs 0 < low < high, got {spec!r}")
        if kind == "uniform" and not low < high:
            raise ValueError(f"{where}: a 'uniform' range needs low < high, got {spec!r}")
    return space


# ----------------------------------------------------------------------------- searching

def _score(value):
    """A trial's score as a float (NaN allowed: it never counts as the best)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"train_eval must return a real number (the validation score), "
                        f"got {type(value).__name__}")
    return float(value)


def _run_trials(train_eval, settings):
    """Run ``train_eval`` on each setting; return (best_params, trials).

    trials = [(params, score), ...] in the order run; the best is the highest score, the
    first such trial on a tie; a NaN score (a diverged run) is never better than a number.
    """
    guard("random_search")      # grid search's engine picks the best trial: no exercise may use it
    if not callable(train_eval):
        raise TypeError(f"train_eval must be callable, got {type(train_eval).__name__}")
    trials = []
    best_params, best_key = None, None
    for params in settings:
        score = _score(train_eval(dict(params)))   # a copy: train_eval cannot alter the record
        trials.append((params, score))
        key = -math.inf if math.isnan(score) else score
        if best_key is None or key > best_key:
            best_params, best_key = params, key
    return dict(best_params), trials


@reference("random_search")
def random_search(train_eval, space, n_trials, rng):
    """Random search: n_trials independent draws from ``space``, keep the best validation score.

    Parameters
    ----------
    train_eval : callable, params dict -> validation score (higher is better)
    space : dict name -> one of
        ("log", low, high)      log-uniform on [low, high], 0 < low < high (e.g. lr)
        ("uniform", low, high)  uniform on [low, high)                 (e.g. dropout p)
        ("choice", [options])   one of the options, each equally likely (e.g. width)
        Each trial draws every hyperparameter independently, in the order of ``space``.
    n_trials : int >= 1, the number of calls of train_eval
    rng : numpy.random.Generator

    Returns
    -------
    best_params : dict, the params of the highest score (the first such trial on a tie; a
        NaN score, a diverged run, is never the best unless every score is NaN)
    trials : list of (params, score) tuples in the order run; params maps each name to a
        Python float (ranges) or the option itself (choice)
    """
    _check_space(space)
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    check_rng(rng)
    if not callable(train_eval):
        raise TypeError(f"train_eval must be callable, got {type(train_eval).__name__}")
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, spec in space.items():
            if spec[0] == "log":
                params[name] = float(log_uniform(spec[1], spec[2], 1, rng)[0])
            elif spec[0] == "uniform":
                params[name] = float(rng.uniform(spec[1], spec[2]))
            else:
                params[name] = spec[1][int(rng.integers(len(spec[1])))]
        trials.append((params, _score(train_eval(dict(params)))))
    scores = [-math.inf if math.isnan(score) else score for _, score in trials]
    return dict(trials[int(np.argmax(scores))][0]), trials


def grid_search(train_eval, grid):
    """Grid search: every combination of the listed values, best validation score kept.

    ``grid`` maps a name to a non-empty list of values; the combinations run in
    ``itertools.product`` order (the last name varies fastest).  Returns
    ``(best_params, trials)`` as :func:`random_search` does.  With k values for each
    of d hyperparameters it costs k**d runs, and only k distinct values of each
    hyperparameter are ever tried (random search tries a new value on every trial).
    """
    if not isinstance(grid, dict) or not grid:
        raise TypeError("grid must be a non-empty dict mapping a name to a list of values")
    for name, values in grid.items():
        if not isinstance(values, (list, tuple)) or len(values) == 0:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}")
    names = list(grid)
    settings = (dict(zip(names, combo)) for combo in itertools.product(*grid.values()))
    return _run_trials(train_eval, settings)


# ----------------------------------------------------------------------------- early stopping

@reference("early_stopping_epoch")
def early_stopping_epoch(val_losses, patience):
    """The epoch whose weights early stopping keeps.

    Training stops after ``patience`` (>= 1) epochs in a row without improvement (a loss
    strictly lower than the best so far), or at the end of the list.  Returns the 0-based
    epoch of the best validation loss seen up to that point, the first one on a tie.

    Example: val_losses = [1.0, 0.8, 0.9, 0.8, 0.7], patience = 2 -> stops after epoch 3
    (epochs 2 and 3 did not beat 0.8) and returns 1; the 0.7 of epoch 4 is never seen.
    """
    losses = as_float_array(val_losses, "val_losses", ndim=1, finite=True)
    if losses.size == 0:
        raise ValueError("val_losses must hold at least one epoch")
    patience = check_int(patience, "patience", minimum=1)
    best, waited = 0, 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                break
    return best
