"""Tests of nntrain.train: the training loop, early stopping, divergence, History."""
import json
import math
import warnings

import numpy as np
import pytest

from nntrain.data import make_blobs
from nntrain.losses import softmax_cross_entropy
from nntrain.model import MLP
from nntrain.optim import make_optimizer
from nntrain.train import History, evaluate, train
from nntrain.tuning import early_stopping_epoch

CENTERS = [[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]]


def rng(seed=0):
    return np.random.default_rng(seed)


def blobs(n_train=60, n_val=60, std=0.7, seed=0):
    g = rng(seed)
    X, y = make_blobs(n_train, CENTERS, g, std=std)
    Xv, yv = make_blobs(n_val, CENTERS, g, std=std)
    return X, y, Xv, yv


# ----------------------------------------------------------------------------- a scripted model

class ScriptedModel:
    """A fake model whose validation loss after epoch e is ``val_losses[e]``.

    One parameter t counts the optimizer steps (the gradient is -1, the optimizer adds lr·1);
    with one batch per epoch t = e + 1 after epoch e.  Test-mode scores on 2 classes are
    (0, a) with label 0, whose cross-entropy log(1 + e^a) is set to the scripted loss.
    """

    def __init__(self, val_losses):
        self.val_losses = list(val_losses)
        self.params = {"t": np.zeros(1)}

    def loss(self, X, y, train=True):
        return 1.0, {"t": np.array([-1.0])}

    def scores(self, X, train=False):
        t = int(round(self.params["t"][0]))
        loss = self.val_losses[min(t, len(self.val_losses)) - 1]
        a = math.log(math.expm1(loss))
        return np.tile([0.0, a], (len(X), 1))

    def copy_params(self):
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, params):
        self.params = {k: v.copy() for k, v in params.items()}


class AddOptimizer:
    """w <- w - lr * grad, the minimal optimizer interface."""

    def __init__(self, lr=1.0):
        self.lr = lr

    def step(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


def scripted_run(val_losses, patience, eval_every=1):
    model = ScriptedModel(val_losses)
    X, y = np.zeros((4, 1)), np.zeros(4, dtype=int)
    h = train(model, AddOptimizer(), X, y, X, y, epochs=len(val_losses), batch_size=4,
              patience=patience, progress=False, eval_every=eval_every)
    return model, h


@pytest.mark.parametrize("val_losses, patience, best, stopped", [
    ([1.0, 0.8, 0.9, 0.8, 0.7], 2, 1, 3),
    ([1.0, 0.8, 0.9, 0.8, 0.7], 3, 4, None),
    ([2.0, 1.0, 1.0, 1.0, 0.5, 0.6], 2, 1, 3),     # ties are no improvement; first one kept
    ([3.0, 2.0, 2.5, 1.0], 1, 1, 2),
    ([1.0, 2.0, 3.0, 4.0], 10, 0, None),           # never improves after epoch 0
    ([5.0, 4.0, 4.5, 4.6, 3.0], 3, 4, None),       # improvement at the last epoch
])
def test_early_stopping_follows_the_contract_rule_and_restores_the_best(val_losses, patience, best,
                                                                      stopped):
    model, h = scripted_run(val_losses, patience)
    assert h.best_epoch == best == early_stopping_epoch(val_losses, patience)
    assert h.stopped_epoch == stopped
    assert model.params["t"][0] == best + 1                 # the weights after the best epoch
    n_run = len(val_losses) if stopped is None else stopped + 1
    assert len(h.train_loss) == len(h.val_loss) == n_run
    np.testing.assert_allclose(h.val_loss, val_losses[:n_run], rtol=1e-9)


def test_eval_every_evaluates_every_k_epochs_and_the_last():
    losses = [5.0, 4.0, 3.0, 3.5, 3.6, 2.0, 2.5, 2.6, 2.7, 2.8]
    model, h = scripted_run(losses, patience=None, eval_every=3)
    assert h.eval_epoch == [2, 5, 8, 9]
    assert len(h.train_loss) == 10 and len(h.val_loss) == len(h.train_acc) == 4
    np.testing.assert_allclose(h.val_loss, [3.0, 2.0, 2.7, 2.8], rtol=1e-9)
    assert h.best_epoch == 5
    # patience counts evaluations: after epoch 5 (best), epochs 8 and 9 are 2 bad evaluations
    model, h = scripted_run(losses, patience=2, eval_every=3)
    assert h.best_epoch == 5 and h.stopped_epoch == 9 and model.params["t"][0] == 6


# ----------------------------------------------------------------------------- a real MLP

def test_tiny_mlp_learns_blobs():
    X, y, Xv, yv = blobs()
    model = MLP([2, 16, 3], rng(1))
    h = train(model, make_optimizer("adam", lr=1e-2), X, y, Xv, yv, epochs=25, batch_size=32,
              rng=rng(2), progress=False)
    assert h.train_acc[-1] >= 0.95 and h.val_acc[-1] >= 0.95
    assert model.accuracy(Xv, yv) == h.val_acc[-1]
    assert h.train_loss[-1] < h.train_loss[0] / 3
    assert not h.diverged and h.stopped_epoch is None
    n_batches = math.ceil(len(X) / 32)
    assert len(h.train_loss) == len(h.val_loss) == len(h.lr) == 25 and h.eval_epoch == list(range(25))
    assert len(h.step_loss) == 25 * n_batches
    for e in (0, 24):                                   # epoch loss = mean of its batch losses
        assert h.train_loss[e] == pytest.approx(np.mean(h.step_loss[e * n_batches:(e + 1) * n_batches]))
    assert h.best_epoch == int(np.argmin(h.val_loss))
    assert h.lr == [0.01] * 25


def test_validation_is_measured_in_test_mode():
    X, y, Xv, yv = blobs()
    model = MLP([2, 32, 3], rng(1), dropout=0.5)
    h = train(model, make_optimizer("adam", lr=1e-2), X, y, Xv, yv, epochs=3, rng=rng(2),
              progress=False)
    loss, _ = softmax_cross_entropy(model.scores(Xv, train=False), yv)
    assert h.val_loss[-1] == pytest.approx(loss, rel=1e-12)
    assert evaluate(model, Xv, yv) == (pytest.approx(loss, rel=1e-12), model.accuracy(Xv, yv))
    assert h.train_acc[-1] == model.accuracy(X, y)


def test_early_stopping_restores_the_best_weights_of_a_real_run():
    # 15 noisy samples per class and a wide network: the validation loss soon rises
    g = rng(0)
    centers = [[0.0, 0.0], [1.5, 0.0], [0.0, 1.5]]
    X, y = make_blobs(15, centers, g)
    Xv, yv = make_blobs(100, centers, g)
    kw = dict(X_val=Xv, y_val=yv, batch_size=16, progress=False)
    model = MLP([2, 64, 64, 3], rng(1))
    h = train(model, make_optimizer("adam", lr=3e-3), X, y, epochs=200, rng=rng(2), patience=5, **kw)
    assert h.stopped_epoch is not None and h.stopped_epoch == h.best_epoch + 5
    assert h.best_epoch == early_stopping_epoch(h.val_loss, 5)
    assert evaluate(model, Xv, yv)[0] == pytest.approx(h.val_loss[h.best_epoch], rel=1e-12)
    assert min(h.val_loss) == h.val_loss[h.best_epoch] < h.val_loss[-1]
    # the same run cut after best_epoch + 1 epochs ends with exactly these weights
    again = MLP([2, 64, 64, 3], rng(1))
    train(again, make_optimizer("adam", lr=3e-3), X, y, epochs=h.best_epoch + 1, rng=rng(2), **kw)
    for name in model.params:
        np.testing.assert_array_equal(model.params[name], again.params[name])


def test_divergence_is_flagged_quietly():
    X, y, Xv, yv = blobs()
    model = MLP([2, 16, 3], rng(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no overflow warnings leak out
        h = train(model, make_optimizer("sgd", lr=1e6), X, y, Xv, yv, epochs=20, batch_size=16,
                  rng=rng(2), progress=False)
    assert h.diverged
    assert h.stopped_epoch is not None and h.stopped_epoch < 19
    assert len(h.train_loss) == h.stopped_epoch + 1
    assert not math.isfinite(h.train_loss[-1]) and not math.isfinite(h.step_loss[-1])


def test_a_good_lr_does_not_diverge_with_patience():
    X, y, Xv, yv = blobs()
    h = train(MLP([2, 16, 3], rng(1)), make_optimizer("sgd", lr=0.1), X, y, Xv, yv, epochs=5,
              rng=rng(2), progress=False, patience=3)
    assert not h.diverged and all(math.isfinite(v) for v in h.train_loss + h.val_loss)


def test_lr_schedule_sets_the_optimizer_lr_every_epoch():
    X, y, _, _ = blobs()
    opt = make_optimizer("momentum", lr=0.1)
    h = train(MLP([2, 8, 3], rng(1)), opt, X, y, epochs=4, rng=rng(2), progress=False,
              lr_schedule=lambda epoch: 0.1 * 0.5 ** epoch)
    assert h.lr == [0.1, 0.05, 0.025, 0.0125]
    assert opt.lr == 0.0125
    assert h.val_loss == [] and h.best_epoch is None and len(h.train_acc) == 4
    with pytest.raises(ValueError, match="lr_schedule"):
        train(MLP([2, 8, 3], rng(1)), opt, X, y, epochs=2, progress=False, lr_schedule=lambda e: -1.0)


def test_reproducible_with_the_same_seeds_and_default_rng():
    X, y, Xv, yv = blobs()
    runs = [train(MLP([2, 8, 3], rng(1)), make_optimizer("adam", lr=1e-2), X, y, Xv, yv, epochs=3,
                  progress=False) for _ in range(2)]
    assert runs[0].as_dict() == runs[1].as_dict()
    other = train(MLP([2, 8, 3], rng(1)), make_optimizer("adam", lr=1e-2), X, y, Xv, yv, epochs=3,
                  rng=rng(5), progress=False)
    assert other.step_loss != runs[0].step_loss


def test_inputs_are_not_modified_and_float32_works():
    X, y, Xv, yv = blobs()
    X32, Xv32 = X.astype(np.float32), Xv.astype(np.float32)
    before = [a.copy() for a in (X32, y, Xv32, yv)]
    h = train(MLP([2, 8, 3], rng(1)), make_optimizer("adam", lr=1e-2), X32, y, Xv32, yv, epochs=2,
              progress=False)
    for a, b in zip((X32, y, Xv32, yv), before):
        np.testing.assert_array_equal(a, b)
    assert all(math.isfinite(v) for v in h.val_loss)


def test_progress_bar_on_and_off(capsys):
    X, y, Xv, yv = blobs(n_train=10, n_val=10)
    train(MLP([2, 4, 3], rng(1)), make_optimizer("sgd", lr=0.1), X, y, Xv, yv, epochs=2,
          progress=False)
    assert capsys.readouterr().err == ""
    train(MLP([2, 4, 3], rng(1)), make_optimizer("sgd", lr=0.1), X, y, Xv, yv, epochs=2,
          progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "val_loss" in err


def test_history_as_dict_is_plain_data():
    h = History(train_loss=[1.0], best_epoch=0)
    d = h.as_dict()
    assert set(d) >= {"train_loss", "train_acc", "val_loss", "val_acc", "step_loss", "lr",
                      "best_epoch", "stopped_epoch", "diverged"}
    json.dumps(d)
    d["train_loss"].append(2.0)
    assert h.train_loss == [1.0]


def test_bad_input():
    X, y, Xv, yv = blobs(n_train=5, n_val=5)
    model, opt = MLP([2, 4, 3], rng(1)), make_optimizer("sgd", lr=0.1)
    kw = dict(progress=False)
    with pytest.raises(ValueError, match="patience"):
        train(model, opt, X, y, patience=3, **kw)
    with pytest.raises(ValueError, match="X_val"):
        train(model, opt, X, y, X_val=Xv, **kw)
    with pytest.raises(ValueError, match="y_train"):
        train(model, opt, X, y[:-1], **kw)
    with pytest.raises(ValueError, match="y_val"):
        train(model, opt, X, y, Xv, yv[:-1], **kw)
    with pytest.raises(ValueError, match="epochs"):
        train(model, opt, X, y, epochs=0, **kw)
    with pytest.raises(TypeError, match="batch_size"):
        train(model, opt, X, y, batch_size=8.0, **kw)
    with pytest.raises(ValueError, match="patience"):
        train(model, opt, X, y, Xv, yv, patience=0, **kw)
    with pytest.raises(ValueError, match="eval_every"):
        train(model, opt, X, y, eval_every=0, **kw)
    with pytest.raises(TypeError, match="rng"):
        train(model, opt, X, y, rng=1, **kw)
    with pytest.raises(TypeError, match="lr_schedule"):
        train(model, opt, X, y, lr_schedule=0.1, **kw)
    with pytest.raises(TypeError, match="y_train"):
        train(model, opt, X, y.astype(str), **kw)
