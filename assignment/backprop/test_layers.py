"""Public tests for layers.py. Run ``pytest`` in this folder; read a failure's message first.

Each function has a test against the reference outputs (``..._matches_reference``), a test against
finite differences of your own forward pass (``..._finite_differences``) and, for most, a property
that holds for every input (hypothesis picks the inputs).
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import (
    KINK_GAP,
    Case,
    CrashHint,
    _,
    away_from,
    cases,
    check_gradients,
    fail_if,
    layer_scalar,
    loss_scalar,
    mismatch,
    modified,
    not_a_float,
    quick,
    shape_problem,
    snapshot,
    student_module,
    unpack,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Imported by the first test that uses it: a syntax error in layers.py fails its tests with one line.
layers = student_module("layers")

SATURATION_HINT = _(
    "a formula like exp(-x) / (1 + exp(-x))**2 overflows once |x| > ~709; use the output saved in the cache"
)
# A matrix product whose shapes do not fit: numpy's matmul (the @ operator) and np.dot say so this way.
MATRIX_PRODUCT = r"^matmul: Input operand|not aligned"
CRASH_HINTS = (
    CrashHint(
        "affine_backward",
        ValueError,
        MATRIX_PRODUCT,
        r"^\s*dx\b.*\bw\b(?!\s*\.\s*T)",
        _("it looks like the transpose of w is missing in dx: dout is (N, M) and w is (D, M), so dx needs w.T"),
    ),
    CrashHint(
        "affine_backward",
        ValueError,
        MATRIX_PRODUCT,
        r"^\s*dw\b",
        _("it looks like a transpose is missing in dw: it is (D, M), like w; x as rows is (N, D) and dout is "
          "(N, M), so the rows of x enter transposed, on the left"),
    ),
    CrashHint(
        "affine_backward",
        ValueError,
        MATRIX_PRODUCT,
        "",
        _("a matrix product whose shapes do not fit: dout is (N, M), w is (D, M) and x as rows is (N, D); "
          "write down the shapes and transpose the factor that needs it"),
    ),
)
SOFTMAX_OVERFLOW = _("exp of large scores overflows; shift each row by its maximum first")
SOFTMAX_BATCH_MAX = _(
    "only rows whose scores are far below the batch's largest score are NaN: x - x.max() shifts every row by "
    "the largest score of the whole batch; shift each row by its own maximum (x.max(axis=1, keepdims=True))"
)
SOFTMAX_LOG_OF_ZERO = _(
    "a probability underflowed to 0 and -log(0) is inf: a correct score some 745 or more below its row's maximum "
    "has a probability that rounds to 0 in float64; take the loss from log-probabilities, "
    "shifted - log(sum(exp(shifted))), as the given code does, not from np.log(probs)"
)
seeds = st.integers(0, 2**32 - 1)
sides = st.integers(1, 4)  # includes a batch of 1 and a single feature
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def where(case: Case) -> str:
    return _("case {name!r}").format(name=case.name)


def max_abs(array: np.ndarray) -> float:
    return float(np.max(np.abs(array), initial=0.0))


def first(mask: np.ndarray) -> tuple[int, ...]:
    """Index of the first True element of ``mask``."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


def at(index: tuple[int, ...]) -> str:
    """An index written as in numpy: ``[1, 2]``."""
    return f"[{', '.join(str(i) for i in index)}]"


# ---------------------------------------------------------------------------------------------
# affine


@pytest.mark.parametrize("case", cases("affine_backward"))
def test_affine_backward_matches_reference(case: Case) -> None:
    x, w, b, dout = (case.inputs[k] for k in ("x", "w", "b", "dout"))
    out, cache = layers.affine_forward(x, w, b)
    got = unpack("affine_backward", layers.affine_backward(dout, cache), ("dx", "dw", "db"))
    label = f"affine_backward, {where(case)}"
    square = w.shape[0] == w.shape[1]
    transposed = {_("forgot to transpose w in dx"): (dout @ w).reshape(x.shape)} if square else {}
    fail_if(
        [
            mismatch(f"affine_forward, {where(case)}", "out", out, case.expected["out"], max_abs(dout)),
            mismatch(label, "dx", got["dx"], case.expected["dx"], max_abs(dout), mistakes=transposed),
            mismatch(label, "dw", got["dw"], case.expected["dw"], max_abs(dout)),
            mismatch(label, "db", got["db"], case.expected["db"], max_abs(dout)),
        ]
    )


@quick
@given(seed=seeds, n=sides, dims=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3), m=sides)
def test_affine_backward_finite_differences(seed: int, n: int, dims: tuple[int, ...], m: int) -> None:
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((n, *dims)), rng.standard_normal((int(np.prod(dims)), m))
    b, dout = rng.standard_normal(m), rng.standard_normal((n, m))
    cache = layers.affine_forward(x, w, b)[1]
    grads = unpack("affine_backward", layers.affine_backward(dout, cache), ("dx", "dw", "db"))
    scalar = layer_scalar(lambda: layers.affine_forward(x, w, b), dout)
    check_gradients("affine_backward", grads, {"x": x, "w": w, "b": b}, scalar)


# ---------------------------------------------------------------------------------------------
# relu


@pytest.mark.parametrize("case", cases("relu_backward"))
def test_relu_backward_matches_reference(case: Case) -> None:
    x, dout = case.inputs["x"], case.inputs["dout"]
    out, cache = layers.relu_forward(x)
    dx = layers.relu_backward(dout, cache)
    # At exactly x == 0 any value between 0 and dout is a valid subgradient.
    at_kink = x == 0
    lower = np.where(at_kink, np.minimum(0.0, dout), np.nan)
    upper = np.where(at_kink, np.maximum(0.0, dout), np.nan)
    mask_only = {_("forgot to multiply the mask by dout"): (x > 0).astype(np.float64)}
    fail_if(
        [
            mismatch(f"relu_forward, {where(case)}", "out", out, case.expected["out"], max_abs(dout)),
            mismatch(
                f"relu_backward, {where(case)}",
                "dx",
                dx,
                case.expected["dx"],
                max_abs(dout),
                mistakes=mask_only,
                lower=lower,
                upper=upper,
            ),
        ]
    )


def test_relu_backward_finite_differences() -> None:
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    cache = layers.relu_forward(x)[1]
    grads = {"dx": layers.relu_backward(dout, cache)}
    scalar = layer_scalar(lambda: layers.relu_forward(x), dout)
    check_gradients("relu_backward", grads, {"x": x}, scalar, indices={"x": away_from(x, 0.0)})


@quick
@given(x=hnp.arrays(np.float64, shapes, elements=st.floats(-10, 10)), seed=seeds)
def test_relu_backward_is_zero_where_the_unit_is_off(x: np.ndarray, seed: int) -> None:
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    cache = layers.relu_forward(x)[1]
    dx = layers.relu_backward(dout, cache)
    fail_if([shape_problem("relu_backward", "dx", dx, x.shape)])
    leaks = (x < 0) & (dx != 0)
    if leaks.any():
        index = first(leaks)
        fail_if([_("relu_backward: dx{index} = {dx:.6g} where x = {x:.6g} < 0; it should be 0").format(
            index=at(index), dx=dx[index], x=x[index])])
    fail_if([mismatch(_("relu_backward, where x > 0"), "dx", dx, np.where(x > 0, dout, np.nan), 1.0)])


# ---------------------------------------------------------------------------------------------
# sigmoid and tanh


def _activation_reference(kind: str, case: Case, mistakes: dict[str, np.ndarray]) -> None:
    x, dout = case.inputs["x"], case.inputs["dout"]
    out, cache = getattr(layers, f"{kind}_forward")(x)
    dx = getattr(layers, f"{kind}_backward")(dout, cache)
    fail_if(
        [
            mismatch(f"{kind}_forward, {where(case)}", "out", out, case.expected["out"], max_abs(dout)),
            mismatch(
                f"{kind}_backward, {where(case)}",
                "dx",
                dx,
                case.expected["dx"],
                max_abs(dout),
                mistakes=mistakes,
                nonfinite_hint=SATURATION_HINT,
            ),
        ]
    )


@pytest.mark.parametrize("case", cases("sigmoid_backward"))
def test_sigmoid_backward_matches_reference(case: Case) -> None:
    # The local gradient taken at z instead of x: the sigmoid applied to the cached output again.
    s, dout = layers.sigmoid_forward(case.inputs["x"])[0], case.inputs["dout"]
    s_again = layers.sigmoid_forward(s)[0]
    mistake = _("applied the sigmoid to the cache again; it already holds z = sigmoid(x)")
    again = {mistake: dout * s_again * (1 - s_again)}
    _activation_reference("sigmoid", case, again)


@pytest.mark.parametrize("case", cases("tanh_backward"))
def test_tanh_backward_matches_reference(case: Case) -> None:
    t, dout = np.tanh(np.tanh(case.inputs["x"])), case.inputs["dout"]
    again = {_("applied tanh to the cache again; it already holds y = tanh(x)"): dout * (1 - t**2)}
    _activation_reference("tanh", case, again)


@pytest.mark.parametrize("kind", ["sigmoid", "tanh"])
def test_activation_backward_finite_differences(kind: str) -> None:
    rng = np.random.default_rng(2)
    x, dout = 2.0 * rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    forward = getattr(layers, f"{kind}_forward")
    cache = forward(x)[1]
    grads = {"dx": getattr(layers, f"{kind}_backward")(dout, cache)}
    check_gradients(f"{kind}_backward", grads, {"x": x}, layer_scalar(lambda: forward(x), dout))


@pytest.mark.parametrize(("kind", "bound"), [("sigmoid", 0.25), ("tanh", 1.0)])
@quick
@given(x=hnp.arrays(np.float64, shapes, elements=st.floats(-1000, 1000)), seed=seeds)
def test_activation_backward_is_finite_and_bounded(kind: str, bound: float, x: np.ndarray, seed: int) -> None:
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    cache = getattr(layers, f"{kind}_forward")(x)[1]
    dx = getattr(layers, f"{kind}_backward")(dout, cache)
    function = f"{kind}_backward"
    fail_if([shape_problem(function, "dx", dx, x.shape)])
    if not np.all(np.isfinite(dx)):
        index = first(~np.isfinite(dx))
        fail_if([_("{function}: dx{index} is {dx} for x = {x:.6g}; {hint}").format(
            function=function, index=at(index), dx=dx[index], x=x[index], hint=SATURATION_HINT)])
    too_big = np.abs(dx) > bound * np.abs(dout) * (1 + 1e-12)
    if too_big.any():
        index = first(too_big)
        fail_if(
            [
                _("{function}: |dx{index}| = {dx:.6g} exceeds {bound} * |dout| = "
                  "{limit:.6g} (x = {x:.6g}); the local gradient is at most {bound}").format(
                    function=function, index=at(index), dx=abs(dx[index]), bound=bound,
                    limit=bound * abs(dout[index]), x=x[index])
            ]
        )


# ---------------------------------------------------------------------------------------------
# softmax and svm


@pytest.mark.parametrize("case", cases("softmax_loss"))
def test_softmax_loss_matches_reference(case: Case) -> None:
    x, y = case.inputs["x"], case.inputs["y"]
    got = unpack("softmax_loss", layers.softmax_loss(x, y), ("loss", "dx"))
    n = x.shape[0]
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    no_minus_one = {_("forgot to subtract 1 at the correct class"): probs / n}
    label = f"softmax_loss, {where(case)}"
    fail_if(
        [
            mismatch(
                label, "loss", got["loss"], case.expected["loss"], 1.0 / n, nonfinite_hint=_loss_hint(x, got)
            ),
            mismatch(
                label,
                "dx",
                got["dx"],
                case.expected["dx"],
                1.0 / n,
                mean_over=n,
                mistakes=no_minus_one,
                nonfinite_hint=_overflow_hint(x, got["dx"]),
            ),
        ]
    )


def _overflow_hint(x: np.ndarray, dx: Any) -> str:
    """Why softmax gave NaN or inf: exp without a shift, or every row shifted by the batch's maximum."""
    if not isinstance(dx, np.ndarray) or dx.shape != x.shape:
        return SOFTMAX_OVERFLOW
    with np.errstate(all="ignore"):
        bad_rows = ~np.all(np.isfinite(np.asarray(dx, dtype=np.float64)), axis=1)
    below = x.max() - x.max(axis=1)  # how far each row's largest score is below the batch's largest
    if bad_rows.any() and np.all(below[bad_rows] > 700) and not bad_rows[np.argmax(x.max(axis=1))]:
        return SOFTMAX_BATCH_MAX
    return SOFTMAX_OVERFLOW


def _loss_hint(x: np.ndarray, got: dict[str, Any]) -> str:
    """Why the softmax loss is NaN or inf: the log of a probability that underflowed, or an overflow."""
    loss = got["loss"]
    dx_finite = isinstance(got["dx"], np.ndarray) and bool(np.all(np.isfinite(got["dx"])))
    if isinstance(loss, float | np.floating) and loss == np.inf and dx_finite:
        return SOFTMAX_LOG_OF_ZERO
    return _overflow_hint(x, got["dx"])


@pytest.mark.parametrize("case", cases("svm_loss"))
def test_svm_loss_matches_reference(case: Case) -> None:
    x, y = case.inputs["x"], case.inputs["y"]
    got = unpack("svm_loss", layers.svm_loss(x, y), ("loss", "dx"))
    n = x.shape[0]
    label = f"svm_loss, {where(case)}"
    fail_if(
        [
            mismatch(label, "loss", got["loss"], case.expected["loss"], 1.0 / n),
            mismatch(label, "dx", got["dx"], case.expected["dx"], 1.0 / n, mean_over=n),
        ]
    )


def _away_from_hinges(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Flat indices of the scores whose row has no hinge margin within KINK_GAP of 0."""
    n = x.shape[0]
    margins = x - x[np.arange(n), y][:, None] + 1.0
    margins[np.arange(n), y] = np.inf
    safe_rows = np.all(np.abs(margins) > KINK_GAP, axis=1)
    return np.flatnonzero(np.repeat(safe_rows[:, None], x.shape[1], axis=1))


@pytest.mark.parametrize("loss", ["softmax_loss", "svm_loss"])
def test_classification_loss_finite_differences(loss: str) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((5, 4)), rng.integers(0, 4, size=5)
    function = getattr(layers, loss)
    grads = unpack(loss, function(x, y), ("loss", "dx"))
    indices = {"x": _away_from_hinges(x, y)} if loss == "svm_loss" else None
    check_gradients(loss, grads, {"x": x}, loss_scalar(lambda: function(x, y), loss), indices)


@pytest.mark.parametrize("loss", ["softmax_loss", "svm_loss"])
@quick
@given(seed=seeds, n=sides, c=st.integers(2, 5), scale=st.sampled_from([0.1, 1.0, 30.0, 5000.0]))
def test_classification_loss_rows_sum_to_zero(loss: str, seed: int, n: int, c: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    x, y = scale * rng.standard_normal((n, c)), rng.integers(0, c, size=n)
    got = unpack(loss, getattr(layers, loss)(x, y), ("loss", "dx"))
    dx = got["dx"]
    fail_if([shape_problem(loss, "dx", dx, x.shape)])
    if not np.all(np.isfinite(dx)):
        hint = f"; {_overflow_hint(x, dx)}" if loss == "softmax_loss" else ""
        fail_if([_("{loss}: dx has NaN or inf for scores of size ~{scale:g}{hint}").format(
            loss=loss, scale=scale, hint=hint)])
    value = got["loss"]
    if isinstance(value, np.ndarray):
        fail_if([f"{loss}: {not_a_float('loss', value)}"])
    if not np.isfinite(value):
        hint = f"; {_loss_hint(x, got)}" if loss == "softmax_loss" else ""
        fail_if([_("{loss}: the loss is {value} for scores of size ~{scale:g}{hint}").format(
            loss=loss, value=value, scale=scale, hint=hint)])
    # Raising every score of a row by the same amount leaves the loss unchanged, so each row of dx sums to 0.
    row_sums = dx.sum(axis=1)
    worst = int(np.argmax(np.abs(row_sums)))
    if abs(row_sums[worst]) > 1e-12 * c:
        fail_if([_("{loss}: row {row} of dx sums to {total:.6g}; every row of dx should sum to 0").format(
            loss=loss, row=worst, total=row_sums[worst])])


# ---------------------------------------------------------------------------------------------
# huber and clipped square


@pytest.mark.parametrize("case", cases("huber_loss"))
def test_huber_loss_matches_reference(case: Case) -> None:
    pred, target, delta = case.inputs["pred"], case.inputs["target"], case.inputs["delta"]
    got = unpack("huber_loss", layers.huber_loss(pred, target, delta), ("loss", "dpred"))
    label = f"huber_loss, {where(case)}"
    fail_if(
        [
            mismatch(label, "loss", got["loss"], case.expected["loss"], 1.0 / pred.size),
            mismatch(
                label,
                "dpred",
                got["dpred"],
                case.expected["dpred"],
                1.0 / pred.size,
                mean_over=pred.size,
                mistakes=_huber_mistakes(pred, target, delta),
            ),
        ]
    )


def _huber_mistakes(pred: np.ndarray, target: np.ndarray, delta: float) -> dict[str, np.ndarray]:
    """The wrong answer of a Huber gradient clipped to ±1 whatever delta is (the same as the right one at delta 1)."""
    if delta == 1.0:
        return {}
    clipped_to_one = np.clip(pred - target, -1.0, 1.0) / pred.size
    return {_("clipped to [-1, 1] whatever delta is; clip to [-delta, delta] (delta = {delta:g} here)").format(
        delta=delta): clipped_to_one}


@pytest.mark.parametrize("case", cases("clipped_square_loss"))
def test_clipped_square_loss_matches_reference(case: Case) -> None:
    pred, target, delta = case.inputs["pred"], case.inputs["target"], case.inputs["delta"]
    got = unpack("clipped_square_loss", layers.clipped_square_loss(pred, target, delta), ("loss", "dpred"))
    huber_like = {
        _("clipped the gradient (that is Huber's); the clip's slope is 0 where |pred - target| > delta"): (
            2.0 * np.clip(pred - target, -delta, delta) / pred.size
        )
    }
    label = f"clipped_square_loss, {where(case)}"
    fail_if(
        [
            mismatch(label, "loss", got["loss"], case.expected["loss"], 1.0 / pred.size),
            mismatch(
                label,
                "dpred",
                got["dpred"],
                case.expected["dpred"],
                1.0 / pred.size,
                mean_over=pred.size,
                mistakes=huber_like,
            ),
        ]
    )


@pytest.mark.parametrize("loss", ["huber_loss", "clipped_square_loss"])
def test_regression_loss_finite_differences(loss: str) -> None:
    rng = np.random.default_rng(4)
    pred, target, delta = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.7
    function = getattr(layers, loss)
    grads = unpack(loss, function(pred, target, delta), ("loss", "dpred"))
    scalar = loss_scalar(lambda: function(pred, target, delta), loss)
    indices = {"pred": away_from(np.abs(pred - target), delta)}
    check_gradients(loss, grads, {"pred": pred}, scalar, indices)


def _regression_inputs(seed: int, shape: tuple[int, ...], delta: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    target = rng.standard_normal(shape)
    # Errors from tiny to far beyond delta, like the TD errors of a DQN early in training.
    pred = target + rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-2, 3, size=shape) * delta
    return pred, target


@quick
@given(seed=seeds, shape=shapes, delta=st.floats(0.1, 10.0))
def test_huber_loss_gradient_is_clipped_not_vanishing(seed: int, shape: tuple[int], delta: float) -> None:
    pred, target = _regression_inputs(seed, shape, delta)
    dpred = unpack("huber_loss", layers.huber_loss(pred, target, delta), ("loss", "dpred"))["dpred"]
    fail_if([shape_problem("huber_loss", "dpred", dpred, shape)])
    size, diff = pred.size, pred - target
    mistakes = _huber_mistakes(pred, target, delta)
    if np.any(np.abs(dpred) > delta / size * (1 + 1e-12)):
        largest = float(np.max(np.abs(dpred)))
        looks = "".join(_("; it looks {what}").format(what=what) for what, wrong in mistakes.items()
                        if np.allclose(dpred, wrong))
        fail_if([_("huber_loss: |dpred| reaches {largest:.6g}, above delta / size = {limit:.6g}{looks}").format(
            largest=largest, limit=delta / size, looks=looks)])
    beyond = np.abs(diff) > delta * (1 + 1e-9)
    expected = np.where(beyond, np.sign(diff) * delta / size, np.nan)
    problem = mismatch(
        _("huber_loss, where |pred - target| > delta"), "dpred", dpred, expected, 1.0 / size, mistakes=mistakes
    )
    fail_if([problem and _("{problem} (beyond delta the gradient is ±delta / size, never 0)").format(problem=problem)])


@quick
@given(seed=seeds, shape=shapes, delta=st.floats(0.1, 10.0))
def test_clipped_square_loss_gradient_vanishes_beyond_delta(seed: int, shape: tuple[int], delta: float) -> None:
    pred, target = _regression_inputs(seed, shape, delta)
    got = unpack("clipped_square_loss", layers.clipped_square_loss(pred, target, delta), ("loss", "dpred"))
    dpred = got["dpred"]
    fail_if([shape_problem("clipped_square_loss", "dpred", dpred, shape)])
    beyond = np.abs(pred - target) > delta * (1 + 1e-9)
    if np.any(dpred[beyond] != 0):
        index = first(beyond & (dpred != 0))
        fail_if(
            [
                _("clipped_square_loss: dpred{index} = {dpred:.6g} where |pred - target| = "
                  "{diff:.6g} > delta = {delta:.6g}; it should be exactly 0 "
                  "(the clip is flat there: this is the DQN bug, implement it faithfully)").format(
                    index=at(index), dpred=dpred[index], diff=abs(pred[index] - target[index]), delta=delta)
            ]
        )


# ---------------------------------------------------------------------------------------------
# Every backward leaves its inputs alone


LAYER_FUNCTIONS = [
    "affine_backward",
    "relu_backward",
    "sigmoid_backward",
    "tanh_backward",
    "softmax_loss",
    "svm_loss",
    "huber_loss",
    "clipped_square_loss",
]


def _calls(rng: np.random.Generator) -> dict[str, tuple[Callable[..., Any], dict[str, Any]]]:
    """For each function, the function and fresh arguments to call it with."""
    x, dout = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    w, b = rng.standard_normal((4, 4)), rng.standard_normal(4)
    y = rng.integers(0, 4, size=3)
    affine_cache = layers.affine_forward(x, w, b)[1]
    return {
        "affine_backward": (layers.affine_backward, {"dout": dout, "cache": affine_cache}),
        "relu_backward": (layers.relu_backward, {"dout": dout, "cache": layers.relu_forward(x)[1]}),
        "sigmoid_backward": (layers.sigmoid_backward, {"dout": dout, "cache": layers.sigmoid_forward(x)[1]}),
        "tanh_backward": (layers.tanh_backward, {"dout": dout, "cache": layers.tanh_forward(x)[1]}),
        "softmax_loss": (layers.softmax_loss, {"x": x, "y": y}),
        "svm_loss": (layers.svm_loss, {"x": x, "y": y}),
        "huber_loss": (layers.huber_loss, {"pred": x, "target": dout}),
        "clipped_square_loss": (layers.clipped_square_loss, {"pred": x, "target": dout}),
    }


@pytest.mark.parametrize("function", LAYER_FUNCTIONS)
def test_inputs_are_left_unchanged(function: str) -> None:
    call, arguments = _calls(np.random.default_rng(5))[function]
    before = snapshot(arguments)
    call(**arguments)
    fail_if([modified(function, before, arguments)])
