"""Plotting helpers for the notebooks (matplotlib).

Every figure has a white background (so that it stays readable in JupyterLab's dark theme)
and English labels (the default fonts have no CJK glyphs).  The helpers draw and return
the Axes (or the Figure, for multi-panel figures); they never call ``plt.show()``: the
notebook shows the figure.  :func:`style` sets the book's rcParams; every helper calls it.
"""
from __future__ import annotations

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .checks import check_bool

__all__ = [
    "style",
    "contour",
    "paths",
    "loss_curves",
    "train_val_curves",
    "layer_histograms",
    "image_grid",
]

#: the book's matplotlib settings (see :func:`style`)
STYLE = {
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "figure.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": False,
    "lines.linewidth": 1.8,
}


def style():
    """Apply the book's rcParams: white figures (also when saved), readable font sizes."""
    mpl.rcParams.update(STYLE)


def _axes(ax, figsize=(5.5, 4.5)):
    style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# ----------------------------------------------------------------------------- 2-D functions

def _levels(zz, levels, log):
    """Contour levels: a given sequence, or ``levels`` values spaced evenly / geometrically.

    Geometric spacing above the minimum suits functions like Rosenbrock, whose values span
    many decades: even spacing would put every line on the steep walls and none in the
    valley.  ``log=None`` chooses it when the values are strongly skewed towards the minimum
    (the median lies in the lowest tenth of the range: true for Rosenbrock, false for the
    quadratics); pass ``log=True`` / ``False`` to decide yourself.
    """
    if not isinstance(levels, (int, np.integer)):
        return np.asarray(levels, dtype=float)
    finite = zz[np.isfinite(zz)]
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo
    if span <= 0:
        return int(levels)
    if log is None:
        log = (np.median(finite) - lo) < 0.1 * span
    if not log:
        return np.linspace(lo, hi, int(levels))
    shifted = finite - lo
    bottom = max(float(np.quantile(shifted, 0.002)), span * 1e-6)
    return lo + np.geomspace(bottom, span, int(levels))


def contour(fn2d, ax=None, levels=30, log=None, n=200, show_minima=True, cmap="viridis"):
    """Contour lines of the 2-D function ``fn2d`` over its ``xlim`` × ``ylim``.

    fn2d : a :class:`nntrain.functions.Function2D` (its ``grid(n)``, ``xlim``, ``ylim``,
        ``minima`` and ``name`` are used)
    levels : a number of levels, or the level values themselves
    log : geometric level spacing (for functions like Rosenbrock); None decides from the
        values (see :func:`_levels`)
    n : grid points per axis
    show_minima : mark ``fn2d.minima`` with white-edged stars

    Returns the Axes.
    """
    ax = _axes(ax)
    xx, yy, zz = fn2d.grid(n)
    zz = np.asarray(zz, dtype=float)
    lv = _levels(zz, levels, log)
    ax.contour(xx, yy, zz, levels=lv, cmap=cmap, linewidths=0.8)
    minima = getattr(fn2d, "minima", None)
    if show_minima and minima is not None and len(minima):
        m = np.atleast_2d(np.asarray(minima, dtype=float))
        ax.plot(m[:, 0], m[:, 1], "*", color="black", markersize=12, markeredgecolor="white",
                label="minimum", zorder=5)
    ax.set_xlim(fn2d.xlim)
    ax.set_ylim(fn2d.ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    name = getattr(fn2d, "name", None)
    if name:
        ax.set_title(str(name))
    return ax


def paths(fn2d, paths, ax=None, title=None, levels=30, log=None):
    """Several optimizer paths on one contour plot of ``fn2d``.

    paths : dict label -> (n, 2) array of the iterates w_0, w_1, ..., w_{n-1}
    Each path is a line with small dots, a circle at its start and a square at its end;
    the legend names them.  Returns the Axes.
    """
    if not isinstance(paths, dict):
        raise TypeError(f"paths must be a dict label -> (n, 2) array, got {type(paths).__name__}")
    ax = contour(fn2d, ax=ax, levels=levels, log=log)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, path) in enumerate(paths.items()):
        p = np.asarray(path, dtype=float)
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"paths[{label!r}] must be an (n, 2) array of iterates, got shape {p.shape}")
        c = colors[i % len(colors)]
        ax.plot(p[:, 0], p[:, 1], "-", color=c, marker=".", markersize=3, label=str(label))
        ax.plot(p[0, 0], p[0, 1], "o", color=c, markersize=7, markeredgecolor="black")
        ax.plot(p[-1, 0], p[-1, 1], "s", color=c, markersize=7, markeredgecolor="black")
    ax.legend(loc="best", framealpha=0.9)
    if title is not None:
        ax.set_title(title)
    return ax


# ----------------------------------------------------------------------------- training curves

def _series(h, metric):
    """(x, values) of one metric of a History (or of a plain sequence)."""
    if isinstance(h, (list, tuple, np.ndarray)):
        values = np.asarray(h, dtype=float)
        return np.arange(len(values)), values
    if not hasattr(h, metric):
        raise ValueError(f"metric must be a field of History such as 'train_loss', got {metric!r}")
    values = np.asarray(getattr(h, metric), dtype=float)
    per_eval = metric in ("train_acc", "val_loss", "val_acc")
    x = np.asarray(h.eval_epoch) if per_eval and len(getattr(h, "eval_epoch", ())) == len(values) \
        else np.arange(len(values))
    return x, values


def loss_curves(histories, metric="train_loss", ax=None, logy=False, xlabel=None, ylabel=None):
    """One curve per run: ``histories`` maps a label to a History (its ``metric`` is drawn) or
    to a plain sequence of values (e.g. losses per step).  Returns the Axes."""
    if not isinstance(histories, dict):
        raise TypeError(f"histories must be a dict label -> History or list, got {type(histories).__name__}")
    ax = _axes(ax, figsize=(6, 4))
    for label, h in histories.items():
        x, values = _series(h, metric)
        ax.plot(x, values, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel or ("step" if metric == "step_loss" else "epoch"))
    ax.set_ylabel(ylabel or metric.replace("_", " "))
    if histories:
        ax.legend(loc="best")
    return ax


def train_val_curves(history, ax=None):
    """Training vs validation loss (left) and accuracy (right) of one History.

    A gap that opens between the curves is over-fitting (过拟合); a dashed line marks
    ``history.best_epoch``.  ``ax``: None, or a pair of Axes.  Returns the two Axes.
    """
    style()
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    if len(ax) != 2:
        raise ValueError("ax must be a pair of Axes (loss, accuracy)")
    ax_loss, ax_acc = ax
    ax_loss.plot(*_series(history, "train_loss"), label="train")
    if history.val_loss:
        ax_loss.plot(*_series(history, "val_loss"), label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("loss")
    if history.train_acc:
        ax_acc.plot(*_series(history, "train_acc"), label="train")
    if history.val_acc:
        ax_acc.plot(*_series(history, "val_acc"), label="validation")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("accuracy")
    for a in ax:
        if history.best_epoch is not None:
            a.axvline(history.best_epoch, color="gray", linestyle="--", linewidth=1,
                      label=f"best epoch ({history.best_epoch})")
        a.legend(loc="best")
    ax_loss.figure.tight_layout()
    return ax


# ----------------------------------------------------------------------------- arrays

def layer_histograms(activations, title=None, bins=50, sharex=True):
    """One small histogram per layer, in a row, each titled with its mean and std.

    activations : list of arrays (any shape), e.g. the hidden activations of a deep network
    with some initialization: shows whether they keep their spread, collapse to 0 or
    saturate.  ``sharex``: one common x range for all layers, so that a shrinking spread
    is visible as a narrowing spike.  Returns the Figure.
    """
    if not isinstance(activations, (list, tuple)) or len(activations) == 0:
        raise ValueError("activations must be a non-empty list of arrays, one per layer")
    style()
    n = len(activations)
    fig, axes = plt.subplots(1, n, figsize=(2.3 * n, 2.6), squeeze=False, sharex=bool(sharex))
    for i, (a, h) in enumerate(zip(axes[0], activations)):
        h = np.asarray(h, dtype=float).ravel()
        a.hist(h, bins=bins, color="C0")
        a.set_title(f"layer {i + 1}\nmean {h.mean():.3g}, std {h.std():.3g}", fontsize=9)
        a.tick_params(labelsize=8)
        a.set_yticks([])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, ncols=10, cmap=None, symmetric=False):
    """Small images in a grid, each titled with its label (if given).

    images : (N, H, W), or (N, H*W) with a square H*W (e.g. flattened 8×8 digits)
    cmap : the colour map; default ``"gray_r"``, or ``"RdBu_r"`` with ``symmetric=True``
    symmetric : False (default): each image is scaled to its own range, right for pictures
        such as digits.  True: for signed values such as weights, whose sign is read from
        the colour: one diverging colour map with the limits -vmax and +vmax, vmax the
        largest |value| of all images, so that 0 is the map's middle colour (white for
        ``RdBu_r``, red positive, blue negative) in every image, with a shared colour bar.
    Returns the Figure.
    """
    imgs = np.asarray(images, dtype=float)
    if imgs.ndim == 2:
        side = math.isqrt(imgs.shape[1])
        if side * side != imgs.shape[1]:
            raise ValueError(f"images of shape {imgs.shape} are not square once unflattened")
        imgs = imgs.reshape(len(imgs), side, side)
    if imgs.ndim != 3 or len(imgs) == 0:
        raise ValueError(f"images must have shape (N, H, W) or (N, H*W), got {np.shape(images)}")
    if labels is not None and len(labels) != len(imgs):
        raise ValueError(f"labels must have one entry per image: {len(labels)} vs {len(imgs)}")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    check_bool(symmetric, "symmetric")
    if cmap is None:
        cmap = "RdBu_r" if symmetric else "gray_r"
    limits = {}
    if symmetric:
        finite = np.abs(imgs[np.isfinite(imgs)])
        vmax = float(finite.max()) if finite.size else 0.0
        vmax = vmax if vmax > 0 else 1.0           # all zeros: any symmetric range shows 0 as the middle
        limits = {"vmin": -vmax, "vmax": vmax}
    style()
    n = len(imgs)
    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.0 * ncols, 1.15 * nrows), squeeze=False)
    shown = None
    for k, a in enumerate(axes.ravel()):
        a.axis("off")
        if k < n:
            shown = a.imshow(imgs[k], cmap=cmap, interpolation="nearest", **limits)
            if labels is not None:
                a.set_title(str(labels[k]), fontsize=9)
    fig.tight_layout()
    if symmetric:
        fig.colorbar(shown, ax=list(axes.ravel()), fraction=0.02 if nrows == 1 else 0.03, pad=0.02)
    return fig
