"""Helpers for the exercise tests in the notebooks.

Every failed check says what was expected, what was got, and gives a hint, e.g.::

    AssertionError: momentum_step: w_next is wrong.
      expected: [ 0.99  -2.02 ]
      got:      [ 0.9   -2.2  ]
      largest difference 0.18 at index (1,) (rtol=1e-06, atol=1e-09)
      hint: v_next = rho * v + grad comes first, then w_next = w - lr * v_next.

The checks hold their own references to NumPy's functions, taken when this module is
first imported, so that a notebook which rebinds ``np.allclose`` later does not change
what the tests compute.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import math
import warnings

import numpy as np

import nntrain

from .reference import REFERENCES, DelegationError, _lifted, forbid

__all__ = [
    "assert_close",
    "assert_shape",
    "assert_equal",
    "check",
    "call",
    "snapshot",
    "normal_cdf",
    "passed",
    "correct_versions",
    "correct_version",
    "DelegationError",
]

#: what every test cell prints when its visible checks pass (see :func:`passed`)
PASSED = ("{what}: the visible tests passed. Grading runs these same checks again on more "
          "inputs (other shapes, dtypes and random values).")

# Private handles on the NumPy functions the checks rely on (see module docstring).
_asarray = np.asarray
_abs = np.abs
_isfinite = np.isfinite
_isnan = np.isnan
_argmax = np.argmax
_unravel = np.unravel_index
_array_equal = np.array_equal
_array2string = np.array2string
_ndarray = np.ndarray
_interp = np.interp


def _fmt(x, limit=6):
    """A short, readable rendering of an array or a value for messages."""
    if isinstance(x, _ndarray) or isinstance(x, (list, tuple)) and x and not isinstance(x[0], str):
        try:
            arr = _asarray(x)
        except Exception:  # ragged lists and friends
            return repr(x)[:200]
        if arr.dtype == object:
            return repr(x)[:200]
        if arr.ndim == 0:
            return f"{arr.item()!r}"
        flat = arr.reshape(-1)
        body = _array2string(flat[:limit], precision=6, separator=", ", max_line_width=200)
        more = f" ... ({arr.size} values)" if arr.size > limit else ""
        shape = f" shape={arr.shape}" if arr.ndim != 1 or arr.size > limit else ""
        return f"{body}{more}{shape}"
    return repr(x)[:200]


def _fail(what, expected, got, detail="", hint=""):
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    lines = [f"{what}", f"  expected: {expected}", f"  got:      {got}"]
    if detail:
        lines.append(f"  {detail}")
    if hint:
        lines.append(f"  hint: {hint}")
    note = _own_note(what)
    if note:
        lines.append(f"  {note}")
    raise AssertionError("\n".join(lines))


def check(condition, what, expected, got, hint=""):
    """Assert a condition, failing with an expected / got / hint message."""
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    if not condition:
        _fail(what, expected, got, hint=hint)


def assert_shape(got, shape, what, hint=""):
    """Assert that ``got`` is an array-like of exactly ``shape``."""
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    try:
        got_shape = _asarray(got).shape
    except Exception:
        got_shape = f"not an array ({type(got).__name__})"
    if got_shape != tuple(shape):
        _fail(f"{what}: wrong shape.", f"shape {tuple(shape)}", f"shape {got_shape}",
              hint=hint or "check which axis you reduce over and keep the shapes the docstring states.")


def assert_equal(got, expected, what, hint=""):
    """Assert exact equality (for integers, labels, indices, Python values)."""
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    if isinstance(expected, (_ndarray, list, tuple)) and not isinstance(expected, str):
        ok = _array_equal(_asarray(got, dtype=object) if _asarray(expected).dtype == object else _asarray(got),
                          _asarray(expected))
    else:
        ok = got == expected
    if not ok:
        _fail(f"{what}: wrong value.", _fmt(expected), _fmt(got), hint=hint)


def assert_close(got, expected, what, hint="", rtol=1e-6, atol=1e-9):
    """Assert ``|got - expected| <= atol + rtol * |expected|`` element-wise, shapes equal.

    NaN or inf in ``got`` where ``expected`` is finite always fails.
    """
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    if got is None:
        _fail(f"{what}: nothing was returned.", _fmt(expected), "None",
              hint=hint or "did you forget the return statement?")
    try:
        g = _asarray(got, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{what}: not a numeric array.", _fmt(expected), repr(got)[:200], hint=hint)
    e = _asarray(expected, dtype=float)
    if g.shape != e.shape:
        _fail(f"{what}: wrong shape.", f"shape {e.shape}", f"shape {g.shape}",
              hint=hint or "check the axes you reduce over and that you return what the docstring says.")
    if e.size == 0:
        return
    gf, ef = g.reshape(-1), e.reshape(-1)          # flat views: 0-d inputs work too
    bad_nan = ~_isfinite(gf) & _isfinite(ef)
    diff = _abs(gf - ef)
    diff[_isnan(diff) & (gf == ef)] = 0.0  # inf == inf
    tol = atol + rtol * _abs(ef)
    wrong = bad_nan | ~(diff <= tol)
    if wrong.any():
        score = diff - tol
        score[bad_nan | _isnan(score)] = float("inf")
        k = int(_argmax(score))
        idx = tuple(int(i) for i in _unravel(k, e.shape)) if e.ndim else ()
        detail = (f"largest difference {diff[k]:.3g} at index {idx} (expected {float(ef[k]):.10g}, got {float(gf[k]):.10g}; "
                  f"rtol={rtol:g}, atol={atol:g}); {int(wrong.sum())} of {e.size} values are off")
        if bad_nan.any():
            detail += "; your result holds NaN or inf"
        _fail(f"{what}: values are wrong.", _fmt(expected if e.ndim == 0 else e), _fmt(got if e.ndim == 0 else g),
              detail, hint)


def snapshot(value):
    """A deep copy of arrays, dicts and lists, for checking that inputs were not modified.

    A random generator is not copied: drawing from it is what it is for, so the function
    gets the caller's generator itself and its state is not compared.
    """
    if isinstance(value, np.random.Generator):
        return value
    return copy.deepcopy(value)


def _same(a, b):
    if isinstance(a, np.random.Generator):
        return True
    if isinstance(a, _ndarray) or isinstance(b, _ndarray):
        a, b = _asarray(a), _asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and _array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return True


@functools.lru_cache(maxsize=1)
def _normal_cdf_table():
    """Phi on a grid of step 1/2000 over [-9, 9], from ``math.erf``."""
    grid = np.linspace(-9.0, 9.0, 36001)
    return grid, np.array([0.5 * math.erfc(-g / math.sqrt(2)) for g in grid])


def normal_cdf(x):
    """Phi(x) = P(Z <= x) for Z ~ N(0, 1), elementwise, to within 1e-8: ``math.erf`` on a fine
    grid, interpolated linearly (the error is below step^2 / 8 * max|Phi''| = 8e-9).  The
    distribution checks of the tests compare the sorted sample with it (a Kolmogorov-Smirnov
    distance) on 200 000 numbers at once, where ``np.vectorize(math.erf)`` takes 20 times as
    long.  Below -9 it is 0 and above 9 it is 1 (off by under 1e-18)."""
    grid, phi = _normal_cdf_table()
    return _interp(x, grid, phi)


def passed(what):
    """Print the line that ends the visible checks of a test cell (:data:`PASSED`)."""
    print(PASSED.format(what=what))


#: the modules that define the graded functions (importing them registers the references)
_GRADED_MODULES = ("losses", "gradcheck", "data", "optim", "functions", "ema", "preprocess", "init",
                   "layers", "tuning")


def _student_edition() -> bool:
    return nntrain.EDITION == "student"


def correct_versions(*names):
    """``{name: a correct version}`` of the named exercises, for ``call(builds_on=...)``.

    The grader's library has one of each, so that a slip in an earlier exercise never costs
    the points of an exercise built on it.  The student edition has none: this returns
    ``{}`` there, the test runs on your own versions, and a failure says so.
    """
    if _student_edition():
        return _YourOwn(names)
    for module in _GRADED_MODULES:
        importlib.import_module(f"nntrain.{module}")
    return {name: REFERENCES[name] for name in names}


class _YourOwn(dict):
    """The empty ``builds_on`` of the student edition, remembering which exercises the test
    runs on the student's own versions (a failure names them)."""

    def __init__(self, names):
        super().__init__()
        self.names = tuple(names)


#: function name -> the earlier exercises its last ``call`` ran on the student's own versions
_on_your_own: dict = {}


def _own_note(what):
    """The note a failure of ``what`` gets when the test ran on the student's own versions."""
    fn = str(what).split(":")[0].split()[0] if str(what).strip() else ""
    names = _on_your_own.get(fn)
    if not names:
        return ""
    listed = ", ".join(names)
    return (f"note: this test ran {fn} on your own {listed}; if a test of {listed} fails, fix that "
            f"first (the grader gives {fn} a correct {listed}, so it is graded on its own)")


def correct_version(name, yours):
    """A correct version of the exercise ``name`` where the library has one (the grader's),
    else ``yours``: in the student edition the test uses your own ``name``."""
    found = correct_versions(name)
    return found.get(name, yours)


def _trusted(impl):
    """``impl`` (a correct version of a function an exercise builds on), callable while the
    library's references are forbidden: it runs with the guard lifted."""

    def correct(*args, **kwargs):
        """The reference, allowed even inside a test that forbids it."""
        with _lifted():
            return impl(*args, **kwargs)

    correct.__name__ = getattr(impl, "__name__", "correct")
    return correct


_MISSING = object()


@contextlib.contextmanager
def _built_on(fn, builds_on):
    """Within the block, the names in ``builds_on`` that ``fn`` looks up as globals (the
    notebook's namespace) are the given correct versions; the student's own come back after."""
    space = getattr(fn, "__globals__", None)
    if not builds_on or space is None:
        yield
        return
    saved = {name: space.get(name, _MISSING) for name in builds_on}
    space.update({name: _trusted(impl) for name, impl in builds_on.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                space.pop(name, None)
            else:
                space[name] = value


_PURE_HINT = ("the functions of this book are pure: compute new arrays (x = x - ..., not x -= ...) "
              "and copy dicts before changing them.")


def call(fn, *args, forbid_refs=(), name=None, copy_args=True, builds_on=None, modified_hint=None,
         **kwargs):
    """Call a student's function the way the tests do, and check its good manners.

    - the arguments it receives are copies (the originals with ``copy_args=False``, for a
      function that must see the caller's arrays), compared afterwards with a snapshot: an
      exercise that modifies its inputs in place fails with a message naming the argument;
    - while it runs, the library's references named in ``forbid_refs`` raise
      :class:`DelegationError` (the exercise must not delegate to its own solution);
    - ``builds_on={"adam_step": correct_adam_step}``: while it runs, the exercise sees a
      correct version of each earlier exercise it may call (under that name in the
      notebook), so a slip in that exercise costs only that exercise's points;
    - ``modified_hint`` replaces the hint given when an argument was left modified (for an
      exercise that works in place by design and must restore its input);
    - ``NotImplementedError`` becomes a friendly "not solved yet" failure.
    """
    __tracebackhide__ = True   # IPython shows the student's frame, not this helper's
    name = name or getattr(fn, "__name__", "your function")
    if isinstance(builds_on, _YourOwn):
        _on_your_own[name] = builds_on.names
    else:
        _on_your_own.pop(name, None)
    before_args = [snapshot(a) for a in args]
    before_kwargs = {k: snapshot(v) for k, v in kwargs.items()}
    passed_args = [snapshot(a) for a in args] if copy_args else list(args)
    passed_kwargs = {k: snapshot(v) for k, v in kwargs.items()} if copy_args else dict(kwargs)
    try:
        # Warnings are silenced: a correct answer may overflow harmlessly on an extreme
        # test input, and nbgrader scores a test cell that writes to stderr as failed.
        with forbid(*forbid_refs), _built_on(fn, builds_on), warnings.catch_warnings(), \
                np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(*passed_args, **passed_kwargs)
    except NotImplementedError:
        raise AssertionError(f"{name} is not implemented yet: replace `raise NotImplementedError()` "
                             f"with your code, then run this cell again.") from None
    except DelegationError as exc:
        raise AssertionError(f"{name}: {exc}.") from None
    changed = [i for i, (before, after) in enumerate(zip(before_args, passed_args)) if not _same(before, after)]
    changed_keys = [key for key in before_kwargs if not _same(before_kwargs[key], passed_kwargs[key])]
    if changed or changed_keys:
        # (the names are looked up only now: tests call some exercises thousands of times)
        argument = _argument_names(fn, len(args))[changed[0]] if changed else changed_keys[0]
        _fail(f"{name} modified its argument {argument!r} in place.",
              "the input left unchanged", "it was changed", hint=modified_hint or _PURE_HINT)
    return result


def _argument_names(fn, n):
    try:
        import inspect
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"#{i}" for i in range(n)]
