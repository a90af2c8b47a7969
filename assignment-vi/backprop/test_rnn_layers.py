"""Public tests for rnn_layers.py. Run ``pytest`` in this folder; read a failure's message first.

The reference cases include 25-step sequences whose Wh has spectral radius above 1 (the gradient
grows as it flows back in time) and below 1 (it fades), as in section 3 of the essay.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import (
    Case,
    CrashHint,
    _,
    cases,
    check_gradients,
    fail_if,
    layer_scalar,
    mismatch,
    modified,
    quick,
    shape_problem,
    snapshot,
    student_module,
    unpack,
)
from hypothesis import given
from hypothesis import strategies as st

# Imported by the first test that uses it: a syntax error in rnn_layers.py fails its tests with one line.
rnn_layers = student_module("rnn_layers")

# A matrix product whose shapes do not fit: numpy's matmul (the @ operator) and np.dot say so this way.
MATRIX_PRODUCT = r"^matmul: Input operand|not aligned"
CRASH_HINTS = (
    CrashHint(
        "rnn_step_backward",
        ValueError,
        MATRIX_PRODUCT,
        r"^\s*dx\b.*\bWx\b(?!\s*\.\s*T)",
        _("it looks like the transpose of Wx is missing in dx: the gradient through tanh is (N, H) and Wx is "
          "(D, H), so dx needs Wx.T"),
    ),
    CrashHint(
        "rnn_step_backward",
        ValueError,
        MATRIX_PRODUCT,
        r"^\s*dW[xh]\b",
        _("it looks like a transpose is missing in a weight gradient: dWx is (D, H) and dWh is (H, H); the inputs "
          "(x is (N, D), prev_h is (N, H)) enter transposed, on the left"),
    ),
    CrashHint(
        "rnn_step_backward",
        ValueError,
        MATRIX_PRODUCT,
        "",
        _("a matrix product whose shapes do not fit: x is (N, D), prev_h and next_h are (N, H), Wx is (D, H) and "
          "Wh is (H, H); write down the shapes and transpose the factor that needs it"),
    ),
)
STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
seeds = st.integers(0, 2**32 - 1)
sides = st.integers(1, 3)  # includes a batch of 1 and a single feature


def labelled(function: str, case: Case) -> str:
    """How a message names the function and the public case: ``rnn_backward, case 'long_sequence'``."""
    return _("{function}, case {name!r}").format(function=function, name=case.name)


def max_abs(array: np.ndarray) -> float:
    return float(np.max(np.abs(array), initial=0.0))


def rnn_inputs(rng: np.random.Generator, n: int, d: int, h: int, steps: int | None = None) -> dict[str, Any]:
    """Random RNN inputs; x is (N, D) for one step, (N, T, D) for a sequence; h is prev_h or h0."""
    x_shape = (n, d) if steps is None else (n, steps, d)
    return {
        "x": rng.standard_normal(x_shape),
        "h": 0.5 * rng.standard_normal((n, h)),
        "Wx": 0.5 * rng.standard_normal((d, h)),
        "Wh": 0.5 * rng.standard_normal((h, h)),
        "b": 0.1 * rng.standard_normal(h),
    }


# ---------------------------------------------------------------------------------------------
# rnn_step_backward


@pytest.mark.parametrize("case", cases("rnn_step_backward"))
def test_rnn_step_backward_matches_reference(case: Case) -> None:
    x, prev_h, Wx, Wh, b, dnext_h = (case.inputs[k] for k in ("x", "prev_h", "Wx", "Wh", "b", "dout"))
    next_h, cache = rnn_layers.rnn_step_forward(x, prev_h, Wx, Wh, b)
    got = unpack("rnn_step_backward", rnn_layers.rnn_step_backward(dnext_h, cache), STEP_GRADS)
    scale = max_abs(dnext_h)
    label = labelled("rnn_step_backward", case)
    fail_if(
        [mismatch(labelled("rnn_step_forward", case), "next_h", next_h, case.expected["out"], scale)]
        + [mismatch(label, name, got[name], case.expected[name], scale) for name in STEP_GRADS]
    )


@quick
@given(seed=seeds, n=sides, d=sides, h=sides)
def test_rnn_step_backward_finite_differences(seed: int, n: int, d: int, h: int) -> None:
    rng = np.random.default_rng(seed)
    inputs = rnn_inputs(rng, n, d, h)
    x, prev_h, Wx, Wh, b = inputs.values()
    dnext_h = rng.standard_normal((n, h))
    cache = rnn_layers.rnn_step_forward(x, prev_h, Wx, Wh, b)[1]
    grads = unpack("rnn_step_backward", rnn_layers.rnn_step_backward(dnext_h, cache), STEP_GRADS)
    scalar = layer_scalar(lambda: rnn_layers.rnn_step_forward(x, prev_h, Wx, Wh, b), dnext_h)
    named = {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "b": b}
    check_gradients("rnn_step_backward", grads, named, scalar)


# ---------------------------------------------------------------------------------------------
# rnn_backward


def _matches(actual: Any, expected: np.ndarray, scale: float) -> bool:
    return shape_problem("", "", actual, expected.shape) is None and mismatch("", "", actual, expected, scale) is None


def _bptt_hint(got: dict[str, Any], expected: dict[str, np.ndarray], scale: float) -> str | None:
    """Name the usual backprop-through-time slip when the pattern of right and wrong outputs shows it."""
    dx_ok = _matches(got["dx"], expected["dx"], scale)
    dx_shape_ok = shape_problem("", "", got["dx"], expected["dx"].shape) is None
    last_step_ok = dx_shape_ok and _matches(got["dx"][:, -1], expected["dx"][:, -1], scale)
    if not dx_ok and last_step_ok:
        return _(
            "dx is right at the last step only: the gradient reaching h[:, t] is dh[:, t] plus what "
            "flows back from step t + 1"
        )
    weights_wrong = [name for name in ("dWx", "dWh", "db") if not _matches(got[name], expected[name], scale)]
    if dx_ok and weights_wrong:
        wrong = ", ".join(weights_wrong)
        return _("dx is right but {wrong} not: add up every step's share (+=), do not overwrite it (=)").format(
            wrong=wrong)
    if dx_ok and not weights_wrong and not _matches(got["dh0"], expected["dh0"], scale):
        return _("everything but dh0 is right: dh0 is the gradient flowing out of the first step (t = 0)")
    return None


@pytest.mark.parametrize("case", cases("rnn_backward"))
def test_rnn_backward_matches_reference(case: Case) -> None:
    x, h0, Wx, Wh, b, dh = (case.inputs[k] for k in ("x", "h0", "Wx", "Wh", "b", "dout"))
    h, cache = rnn_layers.rnn_forward(x, h0, Wx, Wh, b)
    got = unpack("rnn_backward", rnn_layers.rnn_backward(dh, cache), SEQUENCE_GRADS)
    scale = max_abs(dh)
    label = labelled("rnn_backward", case)
    problems = [mismatch(labelled("rnn_forward", case), "h", h, case.expected["out"], scale)]
    problems += [mismatch(label, name, got[name], case.expected[name], scale) for name in SEQUENCE_GRADS]
    hint = _bptt_hint(got, case.expected, scale) if any(problems[1:]) else None
    problems.append(hint and f"{label}: {hint}")
    fail_if(problems)


def test_rnn_backward_finite_differences() -> None:
    rng = np.random.default_rng(6)
    x, h0, Wx, Wh, b = rnn_inputs(rng, 2, 3, 4, steps=3).values()
    dh = rng.standard_normal((2, 3, 4))
    cache = rnn_layers.rnn_forward(x, h0, Wx, Wh, b)[1]
    grads = unpack("rnn_backward", rnn_layers.rnn_backward(dh, cache), SEQUENCE_GRADS)
    scalar = layer_scalar(lambda: rnn_layers.rnn_forward(x, h0, Wx, Wh, b), dh)
    check_gradients("rnn_backward", grads, {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, scalar)


@quick
@given(seed=seeds, n=sides, d=sides, h=sides)
def test_rnn_backward_over_one_step_equals_rnn_step_backward(seed: int, n: int, d: int, h: int) -> None:
    rng = np.random.default_rng(seed)
    x, h0, Wx, Wh, b = rnn_inputs(rng, n, d, h, steps=1).values()
    dh = rng.standard_normal((n, 1, h))
    cache = rnn_layers.rnn_forward(x, h0, Wx, Wh, b)[1]
    got = unpack("rnn_backward", rnn_layers.rnn_backward(dh, cache), SEQUENCE_GRADS)
    step_cache = rnn_layers.rnn_step_forward(x[:, 0], h0, Wx, Wh, b)[1]
    step = dict(zip(SEQUENCE_GRADS, rnn_layers.rnn_step_backward(dh[:, 0], step_cache), strict=False))
    step["dx"] = step["dx"][:, None]
    label = _("rnn_backward over a sequence of one step, compared with rnn_step_backward")
    fail_if([mismatch(label, name, got[name], step[name], max_abs(dh)) for name in SEQUENCE_GRADS])


# ---------------------------------------------------------------------------------------------
# clip_grad_norm


def _unpack_clip(grads: dict[str, np.ndarray], max_norm: float) -> tuple[dict[str, Any], Any]:
    got = unpack("clip_grad_norm", rnn_layers.clip_grad_norm(grads, max_norm), ("clipped", "total_norm"))
    clipped = got["clipped"]
    if not isinstance(clipped, dict) or set(clipped) != set(grads):
        fail_if([_("clip_grad_norm: clipped should be a dict with keys {keys}, got {clipped!r:.80}").format(
            keys=sorted(grads), clipped=clipped)])
    return clipped, got["total_norm"]


@pytest.mark.parametrize("case", cases("clip_grad_norm"))
def test_clip_grad_norm_matches_reference(case: Case) -> None:
    grads, max_norm = case.inputs["grads"], case.inputs["max_norm"]
    clipped, total_norm = _unpack_clip(grads, max_norm)
    scale = max(max_abs(g) for g in grads.values())
    label = labelled("clip_grad_norm", case)
    problems = [mismatch(label, "total_norm", total_norm, case.expected["total_norm"], scale)]
    for key, expected in case.expected["clipped"].items():
        each_own = grads[key] * min(1.0, max_norm / np.linalg.norm(grads[key]))
        mistake = {_("clipped each array by its own norm; clip the global norm of all arrays together"): each_own}
        problems.append(mismatch(label, f"clipped[{key!r}]", clipped[key], expected, scale, mistakes=mistake))
    fail_if(problems)


@quick
@given(
    seed=seeds,
    count=st.integers(1, 3),
    log_scale=st.floats(-3, 3),
    max_norm=st.floats(0.1, 10.0),
)
def test_clip_grad_norm_bounds_the_norm_and_keeps_the_direction(
    seed: int, count: int, log_scale: float, max_norm: float
) -> None:
    rng = np.random.default_rng(seed)
    grads = {f"g{i}": 10.0**log_scale * rng.standard_normal(rng.integers(1, 4, size=i + 1)) for i in range(count)}
    before = snapshot(grads)
    clipped, total_norm = _unpack_clip(grads, max_norm)
    fail_if([modified("clip_grad_norm", {"grads": before}, {"grads": grads})])
    fail_if([shape_problem("clip_grad_norm", f"clipped[{k!r}]", clipped[k], g.shape) for k, g in grads.items()])

    def norm(arrays: dict[str, np.ndarray]) -> float:
        return float(np.linalg.norm(np.concatenate([a.ravel() for a in arrays.values()])))

    fail_if([mismatch("clip_grad_norm", _("total_norm (the norm before clipping)"), total_norm, norm(grads), 0.0)])
    if norm(clipped) > max_norm * (1 + 1e-12):
        fail_if([_("clip_grad_norm: the clipped arrays have norm {norm:.6g} > max_norm = {max_norm:.6g}").format(
            norm=norm(clipped), max_norm=max_norm)])
    # Every array is scaled by the same factor: by max_norm / total_norm, or by 1 when already short enough.
    factor = min(1.0, max_norm / norm(grads))
    fail_if(
        [
            mismatch(
                _("clip_grad_norm (max_norm {max_norm:.6g}, total norm {norm:.6g})").format(
                    max_norm=max_norm, norm=norm(grads)),
                f"clipped[{k!r}]",
                clipped[k],
                factor * g,
                0.0,
            )
            for k, g in grads.items()
        ]
    )


# ---------------------------------------------------------------------------------------------
# Every backward leaves its inputs alone


def _calls(rng: np.random.Generator) -> dict[str, tuple[Callable[..., Any], dict[str, Any]]]:
    """For each function, the function and fresh arguments to call it with."""
    x, h0, Wx, Wh, b = rnn_inputs(rng, 2, 3, 4, steps=3).values()
    step_cache = rnn_layers.rnn_step_forward(x[:, 0], h0, Wx, Wh, b)[1]
    sequence_cache = rnn_layers.rnn_forward(x, h0, Wx, Wh, b)[1]
    return {
        "rnn_step_backward": (
            rnn_layers.rnn_step_backward,
            {"dnext_h": rng.standard_normal((2, 4)), "cache": step_cache},
        ),
        "rnn_backward": (
            rnn_layers.rnn_backward,
            {"dh": rng.standard_normal((2, 3, 4)), "cache": sequence_cache},
        ),
        "clip_grad_norm": (rnn_layers.clip_grad_norm, {"grads": {"W": 5 * Wx, "b": 5 * b}, "max_norm": 1.0}),
    }


@pytest.mark.parametrize("function", ["rnn_step_backward", "rnn_backward", "clip_grad_norm"])
def test_inputs_are_left_unchanged(function: str) -> None:
    call, arguments = _calls(np.random.default_rng(7))[function]
    before = snapshot(arguments)
    call(**arguments)
    fail_if([modified(function, before, arguments)])
