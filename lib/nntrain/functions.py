"""2-D test functions with gradients, for drawing what optimizers do.

A :class:`Function2D` evaluates f and ∇f on points w = (w1, w2) and, vectorised, on whole
grids: for W of shape (..., 2), ``f(W)`` has shape (...) and ``grad(W)`` shape (..., 2), so
``fn.f(np.stack([X, Y], axis=-1))`` fills a contour plot.

- :func:`quadratic`: ½ wᵀHw with eigenvalues h1, h2 -- ill-conditioned curvature (病态曲率).
- :func:`rosenbrock`: a long, curved, flat-bottomed valley.
- :func:`local_minima`: a shallow local minimum (局部最优) next to a deeper global one.
- :func:`saddle`: a saddle point at the origin between two minima.

For the quadratic, gradient descent w <- w - lr H w converges iff |1 - lr λ| < 1 for every
eigenvalue λ of H, i.e. iff lr < 2 / λ_max (:func:`max_stable_lr`); the slowest direction
then contracts by 1 - lr λ_min, so the condition number λ_max / λ_min
(:func:`condition_number`) measures how slow "ill-conditioned" is.
"""
from __future__ import annotations

import numpy as np

from .checks import as_float_array, check_positive, _real_scalar
from .reference import reference

__all__ = ["Function2D", "quadratic", "rosenbrock", "local_minima", "saddle",
           "max_stable_lr", "condition_number"]


class Function2D:
    """A function of two variables with its gradient and what a figure needs to show it.

    Parameters / attributes
    -----------------------
    name : str
    f_xy : callable (x, y) -> f, element-wise on arrays
    grad_xy : callable (x, y) -> (df/dx, df/dy), element-wise on arrays
    xlim, ylim : (low, high) -- a good plotting box
    minima : (k, 2) array of known local minima, the global one(s) first
    start : (2,) a recommended start point for optimizer paths
    lr : a learning rate that shows the function's point with plain GD (see each constructor)
    H : (2, 2) constant Hessian for quadratics, else None
    """

    def __init__(self, name, f_xy, grad_xy, xlim, ylim, minima, start, lr, H=None):
        self.name = name
        self._f_xy, self._grad_xy = f_xy, grad_xy
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.minima = np.array(minima, dtype=np.float64).reshape(-1, 2)
        self.start = np.array(start, dtype=np.float64)
        self.lr = float(lr)
        self.H = H

    @staticmethod
    def _points(w):
        w = as_float_array(w, "w", min_ndim=1)
        if w.shape[-1] != 2:
            raise ValueError(f"w must have a last axis of size 2 (points (w1, w2)), got shape {w.shape}")
        return w[..., 0], w[..., 1]

    def f(self, w):
        """f at points w of shape (..., 2) -> shape (...) (a scalar for one point)."""
        return np.asarray(self._f_xy(*self._points(w)))[()]

    __call__ = f

    def grad(self, w):
        """∇f at points w of shape (..., 2) -> shape (..., 2)."""
        x, y = self._points(w)
        gx, gy = self._grad_xy(x, y)
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1)

    def grid(self, n=201):
        """(X, Y, Z) on an n x n grid over the plotting box, for ``plt.contour(X, Y, Z)``."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"Function2D({self.name!r}, minima={self.minima.tolist()}, start={self.start.tolist()})"


def quadratic(h1=1.0, h2=100.0, angle=0.0):
    """f(w) = ½ wᵀHw with H = R diag(h1, h2) Rᵀ, R the rotation by ``angle`` (radians).

    h1, h2 > 0 are the curvatures along the (rotated) axes; h2 / h1 is the condition number.
    ∇f(w) = H w; the minimum is 0 at the origin.  The suggested lr is 0.9 * 2 / max(h1, h2),
    just below the stability limit: the steep direction zig-zags, the flat one crawls.
    """
    h1, h2 = check_positive(h1, "h1"), check_positive(h2, "h2")
    angle = _real_scalar(angle, "angle")
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([h1, h2]) @ R.T
    a, b, d = H[0, 0], H[0, 1], H[1, 1]
    return Function2D(
        f"quadratic(h1={h1:g}, h2={h2:g}, angle={angle:g})",
        lambda x, y: 0.5 * (a * x * x + 2 * b * x * y + d * y * y),
        lambda x, y: (a * x + b * y, b * x + d * y),
        xlim=(-2, 2), ylim=(-2, 2), minima=[[0, 0]], start=(-1.8, 1.0),
        lr=0.9 * 2 / max(h1, h2), H=H)


def rosenbrock(a=1.0, b=100.0):
    """f(x, y) = (a - x)² + b (y - x²)², minimum 0 at (a, a²) at the end of a curved valley.

    ∇f = (-2(a - x) - 4 b x (y - x²),  2 b (y - x²)).  b > 0.  The start is the classic
    (-1.2, 1); the suggested lr = 1e-3 is stable there for the default a, b.
    """
    a, b = _real_scalar(a, "a"), check_positive(b, "b")
    return Function2D(
        f"rosenbrock(a={a:g}, b={b:g})",
        lambda x, y: (a - x) ** 2 + b * (y - x * x) ** 2,
        lambda x, y: (-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)),
        xlim=(min(-2.0, a - 1), max(2.0, a + 1)), ylim=(min(-1.0, a * a - 1), max(3.0, a * a + 1)),
        minima=[[a, a * a]], start=(-1.2, 1.0), lr=1e-3)


def local_minima():
    """f(x, y) = (x² - 1)² + 0.7 x + y²: a deep global minimum near x = -1.08 (f ≈ -0.73)
    and a shallow local one near x = +0.90 (f ≈ 0.67), separated by a barrier at x ≈ 0.18.

    From the start (1.5, 1) with lr = 0.02, plain GD settles in the local minimum, while
    momentum with rho = 0.9 gathers enough speed on the way down to roll over the barrier
    into the global one (checked in the tests; GD stays stuck for every stable lr up to
    0.15, momentum escapes for lr from 0.01 to 0.08).
    """
    c = 0.7
    roots = np.sort(np.roots([4.0, 0.0, -4.0, c]).real)   # f'(x) = 4x³ - 4x + c = 0
    return Function2D(
        "local_minima",
        lambda x, y: (x * x - 1) ** 2 + c * x + y * y,
        lambda x, y: (4 * x ** 3 - 4 * x + c, 2 * y),
        xlim=(-2, 2), ylim=(-1.5, 1.5), minima=[[roots[0], 0], [roots[2], 0]],
        start=(1.5, 1.0), lr=0.02)


def saddle():
    """f(x, y) = x² - y² + ½ y⁴: a saddle point at the origin, minima -½ at (0, ±1).

    The quartic term bounds f from below.  ∇f = (2x, -2y + 2y³); the Hessian at the origin
    is diag(2, -2).  Started at (1.5, 0.001), just off the saddle's attracting line y = 0,
    gradient descent first heads for the saddle and lingers there while the tiny y grows by
    a factor 1 + 2 lr per step, then escapes to a minimum.
    """
    return Function2D(
        "saddle",
        lambda x, y: x * x - y * y + 0.5 * y ** 4,
        lambda x, y: (2 * x, -2 * y + 2 * y ** 3),
        xlim=(-2, 2), ylim=(-1.5, 1.5), minima=[[0, 1], [0, -1]], start=(1.5, 1e-3), lr=0.1)


def _spd_eigenvalues(H, name="H"):
    """Eigenvalues (ascending) of a symmetric positive-definite matrix; ValueError otherwise."""
    H = as_float_array(H, name, ndim=2, finite=True)
    if H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {H.shape}")
    if not np.allclose(H, H.T, rtol=1e-10, atol=1e-12 * np.abs(H).max()):
        raise ValueError(f"{name} must be symmetric")
    lam = np.linalg.eigvalsh(H)
    if lam[0] <= 0:
        raise ValueError(f"{name} must be positive definite, its smallest eigenvalue is {lam[0]:g}")
    return lam


@reference("max_stable_lr")
def max_stable_lr(H):
    """2 / λ_max(H): GD on f(w) = ½ wᵀHw converges for every lr below it, for none above.

    H : (D, D) symmetric positive-definite.  Returns a float.  At lr = 2 / λ_max exactly the
    steepest direction oscillates with constant amplitude (no convergence), hence "supremum".
    """
    return float(2.0 / _spd_eigenvalues(H)[-1])


def condition_number(H):
    """λ_max / λ_min of a symmetric positive-definite H (1 = round bowl; large = ill-conditioned)."""
    lam = _spd_eigenvalues(H)
    return float(lam[-1] / lam[0])
