"""The checker itself: tolerant comparison, finite differences, and kink awareness."""

from __future__ import annotations

import numpy as np
import pytest
from detection import FINITE_DIFFERENCE_BOUND, FINITE_DIFFERENCE_SIZE, REFERENCE_BOUND, detector_for
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from autograder import DEFAULT_REFERENCE
from autograder.core.calling import run_case
from autograder.core.cases import Case, cases_for
from autograder.core.numeric import numerical_gradient, projected, worst_mismatch
from autograder.core.spec import BY_NAME
from autograder.grading.reference import load_modules
from autograder.grading.verdicts import fd_indices, judge_finite_differences, judge_reference

REFERENCE = load_modules(DEFAULT_REFERENCE)
FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def test_worst_mismatch_reports_the_worst_index_and_both_values() -> None:
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = expected.copy()
    actual[1, 0] = 3.5
    actual[0, 1] = 2.1
    mismatch = worst_mismatch(actual, expected, rtol=1e-6, atol=0.0)
    assert mismatch.index == (1, 0) and mismatch.actual == 3.5 and mismatch.expected == 3.0
    assert mismatch.bad == 2 and mismatch.checked == 4
    assert mismatch.describe("dw") == "dw[1, 0]: expected 3, got 3.5 (2 of 4 elements off)"


def test_nan_and_inf_never_pass_but_unchecked_elements_are_skipped() -> None:
    expected = np.array([0.0, 1.0, np.nan])
    assert worst_mismatch(np.array([np.nan, 1.0, 5.0]), expected, 1e-6, 1e-3).index == (0,)
    assert worst_mismatch(np.array([0.0, np.inf, 5.0]), expected, 1e-6, 1e-3).index == (1,)
    assert worst_mismatch(np.array([0.0, 1.0, 5.0]), expected, 1e-6, 1e-3) is None


def test_subgradient_bounds_accept_any_value_between() -> None:
    expected = np.zeros(3)
    lower, upper = np.array([0.0, np.nan, 0.0]), np.array([2.0, np.nan, 2.0])
    assert worst_mismatch(np.array([1.3, 0.0, 2.0]), expected, 1e-6, 0.0, lower, upper) is None
    assert worst_mismatch(np.array([2.5, 0.0, 0.0]), expected, 1e-6, 0.0, lower, upper).index == (0,)


@FAST
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), scale=st.sampled_from([1e-3, 1.0, 30.0]),
       seed=st.integers(0, 2**16))
def test_numerical_gradient_matches_tanh_derivative(shape, scale, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    dout = rng.standard_normal(shape)
    numeric, noise = numerical_gradient(lambda: projected(np.tanh(x), dout), x)
    analytic = dout / np.cosh(x) ** 2
    assert worst_mismatch(analytic, numeric, 1e-5, noise + 1e-7 * np.abs(numeric).max()) is None


def _fd_findings(name: str, case: Case) -> list:
    function = BY_NAME[name]
    request = {"args": case.args, "dout": case.dout, "perturb": fd_indices(function, case)}
    reply = run_case(REFERENCE[function.module], function, request)
    return judge_finite_differences(function, case, reply, reply, request["perturb"])


@FAST
@given(shape=array_shapes(min_dims=1, max_dims=2, max_side=8), scale=st.sampled_from([1e-6, 1e-4, 1e-3, 1.0]),
       seed=st.integers(0, 2**16))
def test_correct_relu_never_fails_near_its_kink(shape, scale, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    x[rng.random(shape) < 0.2] = 0.0
    assert _fd_findings("relu_backward", Case("near 0", {"x": x}, rng.standard_normal(shape))) == []


@FAST
@given(n=st.integers(1, 5), c=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_correct_svm_never_fails_near_its_margins(n, c, seed) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    x = rng.standard_normal((n, c))
    # Put some margins within 1e-6 of their kink and some exactly on it.
    x += (x[np.arange(n), y][:, None] - 1.0 - x) * (rng.random((n, c)) < 0.4)
    x += rng.standard_normal((n, c)) * 1e-6 * (rng.random((n, c)) < 0.5)
    assert _fd_findings("svm_loss", Case("near a margin", {"x": x, "y": y})) == []


@FAST
@given(size=st.integers(1, 12), delta=st.sampled_from([0.1, 1.0, 2.5]), seed=st.integers(0, 2**16))
def test_correct_losses_never_fail_at_the_delta_boundary(size, delta, seed) -> None:
    rng = np.random.default_rng(seed)
    target = rng.standard_normal(size)
    diff = rng.choice([-1.0, 1.0], size) * (delta + rng.standard_normal(size) * rng.choice([0.0, 1e-7, 1.0], size))
    case = Case("near delta", {"pred": target + diff, "target": target, "delta": delta})
    for name in ("huber_loss", "clipped_square_loss"):
        assert _fd_findings(name, case) == []


def test_zeros_pass_in_full_saturation_so_saturation_cases_mix_in_live_units() -> None:
    """In full saturation the true gradient is ~0, so a backward returning zeros passes both oracles
    (the essay's warning about finite differences); one live unit in the same case catches it."""
    function = BY_NAME["sigmoid_backward"]
    rng = np.random.default_rng(0)
    saturated = Case("saturated", {"x": rng.uniform(400, 1000, (3, 4)) * rng.choice([-1, 1], (3, 4))},
                     rng.standard_normal((3, 4)))
    mixed = Case("mixed", {"x": np.concatenate([saturated.args["x"], rng.standard_normal((1, 4))])},
                 rng.standard_normal((4, 4)))
    for case in (saturated, mixed):
        zeros = {"out": REFERENCE["layers"].sigmoid_forward(case.args["x"])[0],
                 "grads": {"dx": np.zeros_like(case.dout)}}
        request = {"args": case.args, "dout": case.dout, "perturb": fd_indices(function, case)}
        reference = run_case(REFERENCE["layers"], function, request)
        zeros["perturbed"] = reference["perturbed"]
        fd = judge_finite_differences(function, case, zeros, reference, request["perturb"])
        ref = judge_reference(function, function.checks[1], case, zeros, reference)
        if case is saturated:
            assert fd == [] and ref == []  # truly ~0: nothing to catch
        else:
            assert fd and ref  # one live row is enough for both oracles


PLANTABLE = [name for name in BY_NAME if name != "clip_grad_norm"]


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(name=st.sampled_from(PLANTABLE), size=st.sampled_from([20, 100, 400]), seed=st.integers(0, 2**16),
       factor=st.floats(1.0, 1e4), sign=st.sampled_from([-1.0, 1.0]), pick=st.floats(0, 1))
def test_a_planted_error_above_the_stated_bound_is_caught(name, size, seed, factor, sign, pick) -> None:
    detector = detector_for(name, size, seed)
    values = np.abs(detector.reply["grads"][detector.tensor]).ravel()
    assert detector.caught(0, 0.0) == (False, False)  # the correct gradient always passes
    large = np.flatnonzero(values >= 0.01 * values.max())
    index = int(large[int(pick * (large.size - 1))])
    by_reference, _ = detector.caught(index, sign * REFERENCE_BOUND * factor)
    assert by_reference
    if values[index] >= 0.1 * values.max() and values.size <= FINITE_DIFFERENCE_SIZE:
        assert detector.caught(index, sign * FINITE_DIFFERENCE_BOUND * factor)[1]


@pytest.mark.parametrize("value", [0.0, np.nan, np.inf])
def test_finite_differences_judge_the_given_forward(value: float) -> None:
    """A forward changed to a constant, NaN or inf has zero or NaN differences; the check fails and
    says the forward was changed, whatever the backward returns."""
    function = BY_NAME["affine_backward"]
    case = cases_for(function, 7)["gradient_check"][0]
    request = {"args": case.args, "dout": case.dout, "perturb": fd_indices(function, case)}
    reference = run_case(REFERENCE["layers"], function, request)
    changed = {**reference, "out": np.full_like(reference["out"], value),
               "perturbed": {k: np.full_like(v, value) for k, v in reference["perturbed"].items()},
               "grads": {k: np.zeros_like(v) for k, v in reference["grads"].items()}}
    findings = judge_finite_differences(function, case, changed, reference, request["perturb"])
    assert findings and "your affine_forward differs from the given code" in findings[0].message
    moved_only = {**reference, "perturbed": {k: np.full_like(v, value) for k, v in reference["perturbed"].items()}}
    findings = judge_finite_differences(function, case, moved_only, reference, request["perturb"])
    assert len(findings) == 1 and "when x[" in findings[0].message and "moves by ±1e-05" in findings[0].message


def test_not_checked_is_a_mask_never_a_nan() -> None:
    checked = np.array([True, True, False])
    assert worst_mismatch(np.zeros(3), np.array([0.0, np.nan, 5.0]), 1e-5, 1e-7, checked=checked) is not None
    assert worst_mismatch(np.zeros(3), np.array([0.0, 0.0, 5.0]), 1e-5, 1e-7, checked=checked) is None
