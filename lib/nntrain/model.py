"""A small fully connected network (multi-layer perceptron) built from ``nntrain.layers``.

Architecture, for layer_sizes = [D, H_1, ..., H_{L-1}, C]:

    hidden layer l = 1 … L-1:  affine -> [batch norm | layer norm] -> activation -> [dropout]
    output layer L:            affine  (class scores)
    loss:                      mean softmax cross-entropy

Parameter names follow the layers: "W1", "b1", "gamma1", "beta1", "W2", … ("gamma"/"beta"
only with a normalization).  The model computes the loss and its gradients; updating the
parameters is the optimizer's job (``model.params[name] = w_next``), and so is weight
decay (use AdamW).
"""
from __future__ import annotations

import numbers

import numpy as np

from .checks import as_float_array, as_int_array, check_bool, check_int, check_probability, check_rng
from .init import INITIALIZERS, initialize
from .layers import (ACTIVATIONS, affine_backward, affine_forward, batchnorm_backward,
                     batchnorm_forward, dropout_backward, dropout_forward, layernorm_backward,
                     layernorm_forward)
from .losses import softmax_cross_entropy

__all__ = ["MLP"]

NORMS = (None, "batch", "layer")


class MLP:
    """Fully connected network: (affine -> [norm] -> activation -> [dropout]) × (L-1) -> affine.

    Parameters
    ----------
    layer_sizes : sequence of ints [D, H_1, ..., C]: input size, hidden sizes, number of classes
    rng : numpy.random.Generator, used for the initial weights and for the dropout masks
        (kept as ``self.rng``; reseed it to repeat a mask, e.g. in a gradient check)
    init : a name of ``nntrain.init.INITIALIZERS`` ("gaussian", "truncated", "scaled",
        "he"), or a float: the std of a plain Gaussian N(0, std²)
    activation : "relu" or "tanh"
    dropout : the probability p of DROPPING a hidden unit, 0 <= p < 1 (inverted dropout:
        the test-time network needs no rescaling)
    norm : None, "batch" or "layer"
    weight_scale : the std of the "gaussian" and "truncated" initializers (default 0.01);
        not allowed with "scaled", "he" or a float ``init``

    Attributes
    ----------
    params : dict name -> array, "W1" (D, H_1), "b1" (H_1,), "gamma1", "beta1" (H_1,), ...
        Biases start at 0, gamma at 1, beta at 0.
    running : dict layer number l -> {"mean": (H_l,), "var": (H_l,)}, the running statistics
        of each batch-norm layer (empty without batch norm).  Every train-mode forward pass
        (``loss`` with train=True, ``scores`` with train=True) replaces them by the updated
        ones; test mode uses them.
    """

    def __init__(self, layer_sizes, rng, init="he", activation="relu", dropout=0.0, norm=None,
                 weight_scale=None):
        sizes = [check_int(s, f"layer_sizes[{i}]", minimum=1) for i, s in enumerate(layer_sizes)]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes must list at least the input size and the number of "
                             f"classes, got {sizes}")
        self.layer_sizes = sizes
        self.rng = check_rng(rng)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.dropout = check_probability(dropout, "dropout")
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
        self.norm = norm
        self.init = init
        self.n_layers = len(sizes) - 1

        self.params = {}
        self.running = {}
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params[f"W{l}"] = self._initial_weights(init, weight_scale, fan_in, fan_out)
            self.params[f"b{l}"] = np.zeros(fan_out)
            if norm is not None and l < self.n_layers:
                self.params[f"gamma{l}"] = np.ones(fan_out)
                self.params[f"beta{l}"] = np.zeros(fan_out)
                if norm == "batch":
                    self.running[l] = {"mean": np.zeros(fan_out), "var": np.ones(fan_out)}

    def _initial_weights(self, init, weight_scale, fan_in, fan_out):
        if isinstance(init, str):
            if init not in INITIALIZERS:
                raise ValueError(f"init must be one of {sorted(INITIALIZERS)} or a float std, "
                                 f"got {init!r}")
            return initialize(init, fan_in, fan_out, self.rng, std=weight_scale)
        if isinstance(init, numbers.Real) and not isinstance(init, (bool, np.bool_)):
            if weight_scale is not None:
                raise ValueError("weight_scale cannot be combined with a float init "
                                 "(the float already is the std)")
            return initialize("gaussian", fan_in, fan_out, self.rng, std=init)
        raise TypeError(f"init must be an initializer name or a float std, got {type(init).__name__}")

    def __repr__(self):
        return (f"MLP({self.layer_sizes}, init={self.init!r}, activation={self.activation!r}, "
                f"dropout={self.dropout}, norm={self.norm!r})")

    @property
    def n_params(self):
        """The number of trainable numbers (weights, biases, gamma, beta)."""
        return int(sum(p.size for p in self.params.values()))

    # ------------------------------------------------------------------ forward/backward

    def _forward(self, X, train):
        """Scores (N, C), the caches of every layer, and the updated running statistics."""
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have {self.layer_sizes[0]} columns (features), got shape {X.shape}")
        check_bool(train, "train")
        _, act_forward, _ = ACTIVATIONS[self.activation]
        p = self.params
        caches, running_next = [], {}
        h = X
        for l in range(1, self.n_layers):
            cache = {}
            h, cache["affine"] = affine_forward(h, p[f"W{l}"], p[f"b{l}"])
            if self.norm == "batch":
                h, cache["norm"], running_next[l] = batchnorm_forward(
                    h, p[f"gamma{l}"], p[f"beta{l}"], self.running[l], train=bool(train))
            elif self.norm == "layer":
                h, cache["norm"] = layernorm_forward(h, p[f"gamma{l}"], p[f"beta{l}"])
            h, cache["act"] = act_forward(h)
            if train and self.dropout > 0:        # inverted dropout: nothing to do at test time
                h, cache["mask"] = dropout_forward(h, self.dropout, self.rng, train=True)
            caches.append(cache)
        L = self.n_layers
        scores, last = affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        caches.append({"affine": last})
        if train:
            self.running.update(running_next)
        return scores, caches

    def _backward(self, dscores, caches):
        """Gradients of every parameter, from dL/dscores and the forward caches."""
        _, _, act_backward = ACTIVATIONS[self.activation]
        norm_backward = {"batch": batchnorm_backward, "layer": layernorm_backward}.get(self.norm)
        grads = {}
        L = self.n_layers
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, caches[L - 1]["affine"])
        for l in range(L - 1, 0, -1):
            cache = caches[l - 1]
            if "mask" in cache:
                dh = dropout_backward(dh, cache["mask"], self.dropout)
            dh = act_backward(dh, cache["act"])
            if norm_backward is not None:
                dh, grads[f"gamma{l}"], grads[f"beta{l}"] = norm_backward(dh, cache["norm"])
            dh, grads[f"W{l}"], grads[f"b{l}"] = affine_backward(dh, cache["affine"])
        return {name: grads[name] for name in self.params}     # same order as params

    def scores(self, X, train=False):
        """Class scores (N, C) for X (N, D).  Test mode by default (no dropout, running stats)."""
        return self._forward(X, train)[0]

    def loss(self, X, y, train=True):
        """Mean softmax cross-entropy on (X, y) and its gradients.

        Returns (loss, grads), grads a dict with the same keys and shapes as ``params``.
        Train mode (default) draws new dropout masks from ``self.rng``, normalizes with
        the batch statistics and updates ``self.running``.
        """
        scores, caches = self._forward(X, train)
        loss, dscores = softmax_cross_entropy(scores, y)
        return loss, self._backward(dscores, caches)

    def predict(self, X):
        """Predicted labels (N,): the argmax of the test-mode scores."""
        return np.argmax(self.scores(X), axis=1)

    def accuracy(self, X, y):
        """Fraction of samples whose predicted label equals y."""
        y = as_int_array(y, "y")
        if y.shape[0] != np.shape(X)[0]:
            raise ValueError(f"y must have one label per row of X: X has {np.shape(X)[0]} rows, "
                             f"y has {y.shape[0]}")
        return float(np.mean(self.predict(X) == y))

    # ------------------------------------------------------------------ snapshots

    def copy_params(self):
        """A snapshot of the model's state, e.g. the best weights seen by early stopping.

        A dict of copies: every entry of ``params``, plus "running_mean<l>" and
        "running_var<l>" for each batch-norm layer l (test-time predictions depend on them).
        """
        snap = {name: value.copy() for name, value in self.params.items()}
        for l, stats in self.running.items():
            snap[f"running_mean{l}"] = stats["mean"].copy()
            snap[f"running_var{l}"] = stats["var"].copy()
        return snap

    def set_params(self, snapshot):
        """Restore a snapshot made by ``copy_params`` (its arrays are copied, not shared)."""
        if not isinstance(snapshot, dict):
            raise TypeError(f"snapshot must be a dict made by copy_params, got {type(snapshot).__name__}")
        shapes = {name: value.shape for name, value in self.copy_params().items()}
        if set(snapshot) != set(shapes):
            missing, extra = sorted(set(shapes) - set(snapshot)), sorted(set(snapshot) - set(shapes))
            raise ValueError(f"snapshot does not fit this model: missing keys {missing}, "
                             f"unexpected keys {extra}")
        new = {}
        for name, shape in shapes.items():
            value = as_float_array(snapshot[name], f"snapshot[{name!r}]")
            if value.shape != shape:
                raise ValueError(f"snapshot[{name!r}] must have shape {shape}, got {value.shape}")
            new[name] = np.array(value, dtype=np.float64)
        for name in self.params:            # the dicts stay the same objects
            self.params[name] = new[name]
        for l in self.running:
            self.running[l] = {"mean": new[f"running_mean{l}"], "var": new[f"running_var{l}"]}
