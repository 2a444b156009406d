"""Tests of nntrain.plot (Agg backend, set in tests/conftest.py)."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nntrain import functions, plot
from nntrain.train import History


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def rng(seed=0):
    return np.random.default_rng(seed)


def history(n=6):
    return History(train_loss=list(np.linspace(2, 0.5, n)), train_acc=list(np.linspace(0.3, 0.9, n)),
                   val_loss=list(np.linspace(2.1, 0.8, n)), val_acc=list(np.linspace(0.3, 0.8, n)),
                   step_loss=list(np.linspace(2, 0.5, 3 * n)), lr=[0.1] * n,
                   eval_epoch=list(range(n)), best_epoch=n - 2)


def test_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_style_sets_white_backgrounds():
    matplotlib.rcParams["figure.facecolor"] = "black"
    matplotlib.rcParams["savefig.facecolor"] = "auto"
    plot.style()
    for key in ("figure.facecolor", "savefig.facecolor", "axes.facecolor"):
        assert to_rgba(matplotlib.rcParams[key]) == to_rgba("white")
    assert matplotlib.rcParams["savefig.transparent"] is False


def test_importing_the_module_does_not_change_rcparams():
    import importlib
    matplotlib.rcParams["figure.facecolor"] = "black"
    importlib.reload(plot)
    assert to_rgba(matplotlib.rcParams["figure.facecolor"]) == to_rgba("black")
    plot.style()


def test_contour_draws_levels_and_minima():
    fn = functions.quadratic()
    ax = plot.contour(fn, n=60)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlim() == pytest.approx(fn.xlim) and ax.get_ylim() == pytest.approx(fn.ylim)
    assert ax.get_xlabel() and ax.get_ylabel()
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(stars) == 1 and stars[0].get_xdata()[0] == pytest.approx(fn.minima[0, 0])
    assert to_rgba(ax.figure.get_facecolor()) == to_rgba("white")


def test_contour_uses_log_levels_for_rosenbrock():
    fn = functions.rosenbrock()
    _, _, zz = fn.grid(80)
    levels = plot._levels(np.asarray(zz), 20, None)
    gaps = np.diff(levels)
    assert np.all(gaps > 0) and gaps[-1] / gaps[0] > 100           # geometric, not even
    lin = plot._levels(np.asarray(zz), 20, False)
    np.testing.assert_allclose(np.diff(lin), np.diff(lin)[0])
    assert plot._levels(np.asarray(zz), [1.0, 2.0], None).tolist() == [1.0, 2.0]
    ax = plot.contour(fn, n=80)
    assert ax.get_title() == fn.name


def test_paths_draws_every_path_with_start_end_and_legend():
    fn = functions.quadratic()
    p1 = np.linspace(fn.start, [0, 0], 10)
    p2 = np.linspace(fn.start, [0.5, 0.5], 5)
    ax = plot.paths(fn, {"SGD": p1, "momentum": p2}, title="two paths")
    assert ax.get_title() == "two paths"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "SGD" in labels and "momentum" in labels
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["SGD"].get_xydata(), p1)
    starts = [line for line in ax.get_lines() if line.get_marker() == "o"]
    ends = [line for line in ax.get_lines() if line.get_marker() == "s"]
    assert len(starts) == len(ends) == 2
    np.testing.assert_allclose(ends[1].get_xydata()[0], p2[-1])
    with pytest.raises(ValueError, match="SGD"):
        plot.paths(fn, {"SGD": np.zeros((4, 3))})
    with pytest.raises(TypeError, match="paths"):
        plot.paths(fn, [p1])


def test_paths_on_given_axes():
    fig, axes = plt.subplots(1, 2)
    fn = functions.quadratic()
    assert plot.paths(fn, {"a": np.zeros((2, 2))}, ax=axes[1]) is axes[1]


def test_loss_curves_from_histories_and_lists():
    h1, h2 = history(), history(4)
    ax = plot.loss_curves({"lr=0.1": h1, "lr=0.01": h2, "raw": [3.0, 2.0, 1.0]}, logy=True)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["lr=0.1", "lr=0.01", "raw"]
    np.testing.assert_allclose(lines[0].get_ydata(), h1.train_loss)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    ax = plot.loss_curves({"a": h1}, metric="step_loss")
    assert ax.get_xlabel() == "step" and len(ax.get_lines()[0].get_ydata()) == 18
    # validation metrics are drawn at the evaluated epochs
    h3 = History(train_loss=[1, 1, 1, 1], val_loss=[2.0, 1.0], eval_epoch=[1, 3])
    ax = plot.loss_curves({"a": h3}, metric="val_loss")
    assert ax.get_lines()[0].get_xdata().tolist() == [1, 3]
    with pytest.raises(ValueError, match="metric"):
        plot.loss_curves({"a": h1}, metric="nonsense")
    with pytest.raises(TypeError, match="histories"):
        plot.loss_curves([h1])


def test_train_val_curves_two_panels_and_best_epoch():
    h = history()
    axes = plot.train_val_curves(h)
    assert len(axes) == 2
    ax_loss, ax_acc = axes
    labels = [line.get_label() for line in ax_loss.get_lines()]
    assert labels[:2] == ["train", "validation"]
    np.testing.assert_allclose(ax_loss.get_lines()[1].get_ydata(), h.val_loss)
    np.testing.assert_allclose(ax_acc.get_lines()[0].get_ydata(), h.train_acc)
    assert any("best" in line.get_label() for line in ax_acc.get_lines())
    assert ax_acc.get_ylabel() == "accuracy"
    # without a validation set: only the training curves
    axes = plot.train_val_curves(History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.6], eval_epoch=[0, 1]))
    assert [line.get_label() for line in axes[0].get_lines()] == ["train"]


def test_layer_histograms_one_panel_per_layer_with_stats_in_titles():
    acts = [rng(i).standard_normal((100, 20)) * (0.5 ** i) for i in range(4)]
    fig = plot.layer_histograms(acts, title="He init", bins=20)
    axes = fig.get_axes()
    assert len(axes) == 4
    for a, h in zip(axes, acts):
        title = a.get_title()
        assert f"{h.mean():.3g}" in title and f"{h.std():.3g}" in title
        assert len(a.patches) == 20
    assert fig._suptitle.get_text() == "He init"
    with pytest.raises(ValueError, match="activations"):
        plot.layer_histograms([])


def test_image_grid_layout_and_labels():
    imgs = rng().random((13, 64))
    fig = plot.image_grid(imgs, labels=list(range(13)), ncols=5)
    axes = fig.get_axes()
    assert len(axes) == 15                                       # 3 rows of 5
    shown = [a for a in axes if a.images]
    assert len(shown) == 13 and shown[0].images[0].get_array().shape == (8, 8)
    assert [a.get_title() for a in shown][:3] == ["0", "1", "2"]
    fig = plot.image_grid(rng().random((3, 8, 8)))
    assert len(fig.get_axes()) == 3
    with pytest.raises(ValueError, match="square"):
        plot.image_grid(rng().random((3, 10)))
    with pytest.raises(ValueError, match="labels"):
        plot.image_grid(imgs, labels=[1, 2])
    with pytest.raises(ValueError, match="ncols"):
        plot.image_grid(imgs, ncols=0)


def test_contour_keeps_even_levels_for_a_quadratic():
    _, _, zz = functions.quadratic().grid(80)
    gaps = np.diff(plot._levels(np.asarray(zz), 15, None))
    np.testing.assert_allclose(gaps, gaps[0])


def test_image_grid_symmetric_centres_the_colour_map_at_zero():
    # weights whose sign is read from the colour: one diverging map, limits -vmax..+vmax
    imgs = np.stack([np.linspace(-1.0, 3.0, 64), np.linspace(0.0, 0.5, 64), np.zeros(64)])
    fig = plot.image_grid(imgs, symmetric=True)
    shown = [a.images[0] for a in fig.get_axes() if a.images]
    assert len(shown) == 3
    for im in shown:
        assert im.get_clim() == (-3.0, 3.0)                     # the largest |value| of all images
        assert im.get_cmap().name == "RdBu_r"
        # 0 gets the middle colour (white-ish), whatever the image's own range
        assert np.allclose(im.to_rgba(np.array([[0.0]]))[0, 0], im.get_cmap()(0.5))
    assert shown[0].to_rgba(np.array([[2.0]]))[0, 0, 0] > 0.6      # positive: red
    assert shown[0].to_rgba(np.array([[-2.0]]))[0, 0, 2] > 0.6     # negative: blue
    assert len(fig.get_axes()) == 4                               # 3 images and one colour bar
    # another colour map, and all-zero images, keep the symmetric limits
    fig = plot.image_grid(np.zeros((2, 4, 4)), symmetric=True, cmap="coolwarm")
    im = [a.images[0] for a in fig.get_axes() if a.images][0]
    assert im.get_cmap().name == "coolwarm" and im.get_clim() == (-1.0, 1.0)
    # the default scales each image to its own range, in gray
    fig = plot.image_grid(imgs)
    shown = [a.images[0] for a in fig.get_axes() if a.images]
    assert shown[0].get_clim() == (-1.0, 3.0) and shown[1].get_clim() == (0.0, 0.5)
    assert shown[0].get_cmap().name == "gray_r" and len(fig.get_axes()) == 3
    with pytest.raises(TypeError, match="symmetric must be True or False"):
        plot.image_grid(imgs, symmetric="yes")
