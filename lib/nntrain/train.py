"""The training loop (训练循环): mini-batches, gradient, update, repeat; watch the validation loss.

One epoch (轮) of :func:`train`::

    for each mini-batch B of a fresh random permutation of the training set:
        loss, grads = model.loss(X[B], y[B], train=True)   # forward + backward
        optimizer.step(model.params, grads)                # w <- w - lr * (...)

then, every ``eval_every`` epochs, the model in test mode (no dropout, running batch-norm
statistics) is scored on the whole training and validation sets.  With ``patience`` the loop
stops early when the validation loss has not improved for that many evaluations, and the
weights of the best evaluation are put back (the rule of
:func:`nntrain.tuning.early_stopping_epoch`).  A non-finite loss ends training with
``history.diverged = True``: the learning rate was too large.
"""
from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from .checks import as_int_array, check_int, check_positive, check_rng
from .data import minibatch_indices
from .losses import softmax_cross_entropy
from .tuning import early_stopping_epoch

__all__ = ["History", "train", "evaluate"]


@dataclass
class History:
    """What happened during :func:`train`.

    Epochs are 0-based.

    train_loss : per epoch, the mean of that epoch's mini-batch losses (train mode, so with
        dropout active and whatever penalty ``model.loss`` includes)
    step_loss  : the loss of every mini-batch, in order
    lr         : per epoch, the learning rate used (with a per-step schedule: that of the
        epoch's first step)
    step_lr    : the learning rate of every mini-batch step, in order
    eval_epoch : the epochs after which the model was evaluated (every ``eval_every``-th
        and the last); train_acc, val_loss and val_acc have one entry per evaluation
    train_acc  : accuracy on the whole training set, test mode
    val_loss, val_acc : mean cross-entropy and accuracy on the validation set, test mode
    best_epoch : the epoch with the lowest validation loss (the first one on a tie);
        with early stopping these are the weights the model holds at the end
    stopped_epoch : the epoch after which training stopped early (patience ran out or the
        loss diverged); None when all epochs ran
    diverged   : True if the loss became NaN or inf
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    step_lr: list = field(default_factory=list)
    eval_epoch: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None
    diverged: bool = False

    def as_dict(self):
        """A plain dict of the fields (lists are copied), e.g. for json.dump."""
        return dataclasses.asdict(self)


def _test_scores(model, X):
    """The model's scores on X in test mode, or None if they are not all finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        scores = model.scores(X, train=False)
    return scores if np.all(np.isfinite(scores)) else None


def _accuracy(scores, y):
    return float(np.mean(np.argmax(scores, axis=1) == y))


def _loss_and_accuracy(scores, y):
    return softmax_cross_entropy(scores, y)[0], _accuracy(scores, y)


class EarlyStop(NamedTuple):
    """What early stopping says after an evaluation."""
    best: int       # index of the best evaluation so far: the weights to keep
    stop: bool      # patience ran out: stop training now


def _early_stopping(val_losses, patience):
    """The rule of :func:`~nntrain.tuning.early_stopping_epoch` applied to the validation
    losses seen so far (a non-finite loss never improves): the best evaluation, and whether
    ``patience`` evaluations in a row have passed without improvement."""
    finite = [v if math.isfinite(v) else sys.float_info.max for v in val_losses]
    best = int(early_stopping_epoch(finite, patience))
    return EarlyStop(best, len(val_losses) - 1 - best >= patience)


def evaluate(model, X, y):
    """(mean cross-entropy, accuracy) of ``model`` on (X, y) in test mode."""
    return _loss_and_accuracy(model.scores(X, train=False), as_int_array(y, "y"))


def _check_xy(X, y, name_x, name_y):
    X = np.asarray(X)
    y = as_int_array(y, name_y)
    if X.ndim < 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{name_y} must have one label per row of {name_x}: "
                         f"{name_x} is {X.shape}, {name_y} is {y.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name_x} must hold at least one sample")
    return X, y


def train(model, optimizer, X_train, y_train, X_val=None, y_val=None, epochs=10, batch_size=64,
          rng=None, patience=None, lr_schedule=None, progress=True, eval_every=1,
          lr_schedule_unit="epoch"):
    """Train ``model`` with ``optimizer`` by mini-batch gradient descent; return a :class:`History`.

    Parameters
    ----------
    model : has ``params`` (dict name -> array), ``loss(X, y, train=True) -> (loss, grads)``,
        ``scores(X, train=False)``, ``copy_params()`` and ``set_params(params)`` (e.g.
        :class:`nntrain.model.MLP`)
    optimizer : has ``step(params, grads)`` (updates params in place) and a settable ``lr``
    X_train, y_train : (N, ...) inputs and (N,) integer labels
    X_val, y_val : optional validation set (both or neither)
    epochs : int >= 1, the number of passes over the training set
    batch_size : int >= 1
    rng : numpy.random.Generator for the shuffling (and anything else random in the loop);
        None means ``np.random.default_rng(0)``, so a run is reproducible
    patience : None (no early stopping) or int >= 1: stop after ``patience`` evaluations in a
        row without a strictly lower validation loss, then restore the weights of the best
        one.  Needs a validation set.
    lr_schedule : None (the optimizer's lr throughout) or a function t -> lr > 0 that sets
        ``optimizer.lr`` (e.g. a schedule of :mod:`nntrain.schedule`); t is 0-based
    lr_schedule_unit : "epoch" (the default): t is the epoch, lr set before each epoch;
        "step": t is the number of mini-batch steps taken so far, lr set before each step
    progress : show a tqdm progress bar with the epoch and the latest losses
    eval_every : evaluate (train accuracy, validation loss and accuracy) every this many
        epochs and after the last one

    The model is trained in place; the returned History records the curves.
    """
    X_train, y_train = _check_xy(X_train, y_train, "X_train", "y_train")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together (or both left out)")
    has_val = X_val is not None
    if has_val:
        X_val, y_val = _check_xy(X_val, y_val, "X_val", "y_val")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    eval_every = check_int(eval_every, "eval_every", minimum=1)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    if patience is not None and not has_val:
        raise ValueError("patience needs a validation set: pass X_val and y_val")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(f"lr_schedule must be a function epoch -> lr, got {type(lr_schedule).__name__}")
    if lr_schedule_unit not in ("epoch", "step"):
        raise ValueError(f"lr_schedule_unit must be 'epoch' or 'step', got {lr_schedule_unit!r}")
    per_step = lr_schedule is not None and lr_schedule_unit == "step"

    history = History()
    best_params = None
    n = X_train.shape[0]
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress, leave=True)
    try:
        for epoch in bar:
            if lr_schedule is not None and not per_step:
                optimizer.lr = check_positive(lr_schedule(epoch), "lr_schedule(epoch)")
            first_step = True

            # --- one epoch of mini-batch updates
            batch_losses = []
            for idx in minibatch_indices(n, batch_size, rng):
                if per_step:
                    optimizer.lr = check_positive(lr_schedule(len(history.step_loss)), "lr_schedule(step)")
                if first_step:
                    history.lr.append(float(optimizer.lr))
                    first_step = False
                history.step_lr.append(float(optimizer.lr))
                Xb, yb = X_train[idx], y_train[idx]
                with np.errstate(over="ignore", invalid="ignore"):   # divergence is checked below
                    try:
                        loss, grads = model.loss(Xb, yb, train=True)
                    except ValueError:
                        if _test_scores(model, Xb) is not None:
                            raise
                        loss = math.nan          # the weights overflowed: report it as NaN
                    loss = float(loss)
                    batch_losses.append(loss)
                    history.step_loss.append(loss)
                    if not math.isfinite(loss):
                        history.diverged = True
                        break
                    optimizer.step(model.params, grads)
            history.train_loss.append(float(np.mean(batch_losses)))
            if history.diverged:
                history.stopped_epoch = epoch
                bar.set_postfix(loss="diverged")
                break

            # --- evaluation in test mode
            postfix = {"loss": f"{history.train_loss[-1]:.4g}"}
            if (epoch + 1) % eval_every == 0 or epoch == epochs - 1:
                train_scores = _test_scores(model, X_train)
                val_scores = _test_scores(model, X_val) if has_val else None
                if train_scores is None or (has_val and val_scores is None):
                    history.diverged = True       # the weights overflowed before the loss did
                    history.stopped_epoch = epoch
                    bar.set_postfix(loss="diverged")
                    break
                history.eval_epoch.append(epoch)
                history.train_acc.append(_accuracy(train_scores, y_train))
                if has_val:
                    val_loss, val_acc = _loss_and_accuracy(val_scores, y_val)
                    history.val_loss.append(val_loss)
                    history.val_acc.append(val_acc)
                    postfix.update(val_loss=f"{val_loss:.4g}", val_acc=f"{val_acc:.3f}")
                    if patience is not None:
                        verdict = _early_stopping(history.val_loss, patience)
                        if verdict.best == len(history.val_loss) - 1:
                            best_params = model.copy_params()
                        if verdict.stop:
                            history.stopped_epoch = epoch
                            bar.set_postfix(postfix)
                            break
            bar.set_postfix(postfix)
    finally:
        bar.close()

    if patience is not None and history.val_loss:
        history.best_epoch = history.eval_epoch[_early_stopping(history.val_loss, patience).best]
        model.set_params(best_params)     # early stopping keeps the weights of the best epoch
    elif history.val_loss:
        finite = [v if math.isfinite(v) else math.inf for v in history.val_loss]
        history.best_epoch = history.eval_epoch[int(np.argmin(finite))]   # argmin: first on a tie
    return history
