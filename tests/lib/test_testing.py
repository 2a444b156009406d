"""nntrain.testing: the helpers every test cell of the book uses."""
import numpy as np
import pytest

from nntrain import testing
from nntrain.optim import adam_step as reference_adam_step
from nntrain.reference import CHAPTERS, REFERENCES, _forbidden

FORBID = CHAPTERS["05_adam"]


def _notebook(source):
    """Functions defined in a fresh namespace, as a notebook defines them."""
    space = {"__name__": "__main__"}
    exec(source, space)
    return space


ADAMW = '''
import numpy as np

def adam_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    return w, m, s                                  # a wrong Exercise 1

def adamw_step(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    w_adam, m_next, s_next = adam_step(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_adam - lr * weight_decay * w, m_next, s_next

def adamw_delegating(w, grad, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    from nntrain.optim import adam_step as library
    w_adam, m_next, s_next = library(w, grad, m, s, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_adam - lr * weight_decay * w, m_next, s_next
'''
ARGS = (np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.zeros(2), np.zeros(2), 1)


def test_builds_on_runs_the_exercise_with_a_correct_earlier_function():
    space = _notebook(ADAMW)
    own = space["adam_step"]
    w_next, m_next, _ = testing.call(space["adamw_step"], *ARGS, lr=0.1, weight_decay=0.5,
                                     forbid_refs=FORBID, builds_on={"adam_step": reference_adam_step})
    np.testing.assert_allclose(w_next, [0.85, -2.0])
    np.testing.assert_allclose(m_next, [0.3, 0.05])
    assert space["adam_step"] is own, "the student's own function must come back"


def test_without_builds_on_the_students_own_earlier_function_is_used():
    space = _notebook(ADAMW)
    w_next, _, _ = testing.call(space["adamw_step"], *ARGS, lr=0.1, weight_decay=0.5, forbid_refs=FORBID)
    np.testing.assert_allclose(w_next, [0.95, -1.9])


def test_builds_on_still_catches_delegation_to_the_library():
    space = _notebook(ADAMW)
    with pytest.raises(AssertionError, match="reference implementation of adam_step"):
        testing.call(space["adamw_delegating"], *ARGS, forbid_refs=FORBID,
                     builds_on={"adam_step": reference_adam_step})
    assert not _forbidden, "the guard must be switched off after the call"


def test_builds_on_restores_the_namespace_after_an_error_and_for_missing_names():
    space = _notebook("def f(x):\n    return helper(x)\n")

    def boom(x):
        raise ValueError("boom")

    with pytest.raises(ValueError):
        testing.call(space["f"], 1.0, builds_on={"helper": boom})
    assert "helper" not in space
    assert testing.call(space["f"], 2.0, builds_on={"helper": lambda x: 3 * x}) == 6.0
    assert "helper" not in space


def test_correct_version_runs_while_its_reference_is_forbidden_but_the_guard_returns():
    space = _notebook("def f(x):\n    return g(x)\n")
    ref = REFERENCES["adam_step"]
    out = testing.call(space["f"], ARGS, forbid_refs=FORBID,
                       builds_on={"g": lambda args: ref(*args, lr=0.1)[0]})
    np.testing.assert_allclose(out, [0.9, -2.1])
    assert not _forbidden


def test_modified_input_fails_with_the_default_or_the_given_hint():
    def inplace(x):
        x += 1
        return x

    with pytest.raises(AssertionError, match=r"modified its argument 'x'.*\n.*\n.*\n.*hint: the functions of this book are pure"):
        testing.call(inplace, np.zeros(2))
    with pytest.raises(AssertionError, match="hint: restore x"):
        testing.call(inplace, np.zeros(2), modified_hint="restore x")


def test_passed_prints_the_standard_success_line(capsys):
    testing.passed("adam_step")
    out = capsys.readouterr().out
    assert out.startswith("adam_step: the visible tests passed.")
    assert "Grading runs these same checks again on more inputs" in out


def test_not_implemented_becomes_a_friendly_failure():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="stub is not implemented yet"):
        testing.call(stub, 1)


def test_normal_cdf_matches_math_erf_elementwise():
    import math
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 2, size=2002), rng.uniform(-12, 12, size=2002),
                        [-np.inf, -9.0, -3.0, 0.0, 1.0, 9.0, np.inf]]).reshape(-1, 7)
    exact = np.vectorize(lambda v: 0.5 * math.erfc(-v / math.sqrt(2)))(x)
    got = testing.normal_cdf(x)
    assert got.shape == x.shape
    assert np.max(np.abs(got - exact)) < 1e-8
    assert testing.normal_cdf(0.0) == 0.5
    assert np.all(np.diff(testing.normal_cdf(np.linspace(-10, 10, 5001))) >= 0)
