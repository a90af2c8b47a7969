"""Inputs for every check: random cases and the essay's targeted ones, drawn from one seed.

Rules every generator follows, because each one hides a class of bugs when broken:
- upstream gradients are random, never all ones (all ones hides a missing transpose);
- scores are of order 1, never 0.001 * randn (tiny scores make every hinge active);
- shapes vary, with a batch of 1, a single feature and non-square matrices among them;
- inputs used by finite differences keep away from kinks (the checker also masks what is near).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.core.spec import FUNCTIONS, GradedFunction

Array = np.ndarray
# A call's arguments by name: arrays, floats (delta, max_norm) or a dict of arrays (grads). Every read
# is by a name whose type the function fixes (often a name taken from the spec), so values are Any.
Args = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One call of a graded function: its forward arguments and, for layers, the upstream gradient."""

    label: str
    args: Args
    dout: Array | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _randn(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> Array:
    return rng.standard_normal(shape) * scale


def _away_from_zero(rng: np.random.Generator, *shape: int, scale: float = 1.0, gap: float = 0.05) -> Array:
    """Random values with |v| >= gap * scale, so no element sits near a ReLU-like kink."""
    magnitude = gap * scale + np.abs(_randn(rng, *shape, scale=scale))
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


def _with_spectral_radius(rng: np.random.Generator, size: int, radius: float) -> Array:
    matrix = _randn(rng, size, size)
    return matrix * (radius / np.max(np.abs(np.linalg.eigvals(matrix))))


def _layer_case(label: str, args: Args, out_shape: tuple[int, ...], rng: np.random.Generator) -> Case:
    return Case(label, args, dout=_randn(rng, *out_shape))


CaseGenerator = Callable[[np.random.Generator], dict[str, list[Case]]]
GENERATORS: dict[str, CaseGenerator] = {}
"""The generators a graded function's entry can name (its ``cases``), by their own names."""


def generator(draw: CaseGenerator) -> CaseGenerator:
    """Let entries of ``spec`` name ``draw`` as the generator of their cases."""
    GENERATORS[draw.__name__] = draw
    return draw


# --- affine -------------------------------------------------------------------------------------

def affine_case(rng: np.random.Generator, label: str, x_shape: tuple[int, ...], m: int, w_scale: float = 1.0) -> Case:
    d = int(np.prod(x_shape[1:]))
    args = {"x": _randn(rng, *x_shape), "w": _randn(rng, d, m, scale=w_scale), "b": _randn(rng, m)}
    return _layer_case(label, args, (x_shape[0], m), rng)


@generator
def affine_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    n = int(rng.integers(2, 6))
    dead_case = affine_case(rng, "dout with whole zero columns (dead units above)", (5, 2, 3), 6)
    dead = rng.permutation(6)[:3]
    assert dead_case.dout is not None  # a layer case always has an upstream gradient
    dead_case.dout[:, dead] = 0.0
    return {
        "gradient_check": [affine_case(rng, "x of shape (N, 2, 3)", (n, 2, 3), 4),
                           affine_case(rng, "square w", (3, 4), 4)],
        "reference": [affine_case(rng, "batch of 1, one feature", (1, 1), 3),
                      affine_case(rng, "x of shape (N, 3, 2, 2)", (n, 3, 2, 2), 5),
                      affine_case(rng, "large w (std 100)", (4, 7), 3, w_scale=100.0)],
        "square_weights": [affine_case(rng, "square w (6, 6)", (6, 6), 6),
                           affine_case(rng, "square w, x of shape (N, 2, 2)", (3, 2, 2), 4)],
        "dead_units": [dead_case],
        "leaves_inputs_unchanged": [affine_case(rng, "random", (3, 4), 5)],
    }


# --- elementwise activations --------------------------------------------------------------------

def elementwise_case(rng: np.random.Generator, label: str, x: Array) -> Case:
    return _layer_case(label, {"x": x}, x.shape, rng)


def _saturating_inputs(rng: np.random.Generator) -> list[tuple[str, Array]]:
    """Pre-activations up to ±1000: uniform ones mixed with ordinary ones, and x @ W with a large W."""
    spread = np.concatenate([rng.uniform(-1000.0, 1000.0, 28), _randn(rng, 12, scale=2.0),
                             [-1000.0, 1000.0, -709.5, 745.0, 37.0, -37.0, 0.0, 20.0]])
    after_affine = _randn(rng, 8, 10) @ _randn(rng, 10, 6, scale=300.0)
    return [("|x| up to 1000, mixed with ordinary values", rng.permutation(spread).reshape(6, 8)),
            ("x @ W after an affine layer with W of std 300", after_affine)]


def activation_cases(rng: np.random.Generator, targeted_id: str) -> dict[str, list[Case]]:
    n = int(rng.integers(2, 6))
    cases = {
        "gradient_check": [elementwise_case(rng, "x of shape (N, 5)", _randn(rng, n, 5, scale=2.0)),
                           elementwise_case(rng, "x of shape (2, 3, 4)", _randn(rng, 2, 3, 4))],
        "reference": [elementwise_case(rng, "batch of 1, one feature", _randn(rng, 1, 1)),
                      elementwise_case(rng, "x of shape (N, 7)", _randn(rng, n, 7, scale=3.0)),
                      elementwise_case(rng, "a vector", _randn(rng, 9))],
        "leaves_inputs_unchanged": [elementwise_case(rng, "random", _randn(rng, 3, 4))],
    }
    if targeted_id == "saturation":
        cases["saturation"] = [elementwise_case(rng, label, x) for label, x in _saturating_inputs(rng)]
    return cases


@generator
def saturating_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    return activation_cases(rng, "saturation")


@generator
def relu_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    cases = activation_cases(rng, "dead_units")
    for case in cases["gradient_check"]:
        case.args["x"] = _away_from_zero(rng, *case.args["x"].shape)
    # Pre-activations of a layer whose units 0, 2 and 5 never fire on this batch.
    pre = _randn(rng, 7, 6)
    pre[:, [0, 2, 5]] = -np.abs(pre[:, [0, 2, 5]]) - 0.1
    with_zeros = _randn(rng, 4, 5)
    with_zeros[rng.random((4, 5)) < 0.3] = 0.0
    cases["dead_units"] = [elementwise_case(rng, "units 0, 2 and 5 never fire", pre),
                           elementwise_case(rng, "some inputs exactly 0", with_zeros)]
    return cases


# --- losses -------------------------------------------------------------------------------------

def scores_case(rng: np.random.Generator, label: str, n: int, c: int, scale: float = 1.0) -> Case:
    return Case(label, {"x": _randn(rng, n, c, scale=scale), "y": rng.integers(0, c, n)})


@generator
def softmax_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    huge = scores_case(rng, "scores of std 1000", 5, 6, scale=1000.0)
    tied = Case("rows of equal scores of 3000", {"x": np.full((3, 4), 3000.0), "y": np.array([0, 3, 1])})
    # Rows thousands apart. Without a shift, or shifted by the batch's largest score instead of each
    # row's, exp gives inf / inf or 0 / 0 in some row; row 0's correct class is 2000 below its row's
    # maximum, so its probability underflows to 0 and the log of it is -inf.
    apart = Case("rows thousands apart", {"x": np.array([[3000.0, 2990.0, 1000.0, -500.0], [2.0, -1.0, 0.5, 1.0],
                                                          [-3000.0, -2995.0, -3010.0, -2990.0]]),
                                          "y": np.array([2, 0, 3])})
    return {
        "gradient_check": [scores_case(rng, "scores of order 1", 4, 5), scores_case(rng, "batch of 1", 1, 3)],
        "reference": [scores_case(rng, "batch of 1, two classes", 1, 2),
                      scores_case(rng, "scores of order 1", 6, 7, scale=2.0),
                      scores_case(rng, "scores of order 10", 5, 4, scale=10.0)],
        "large_scores": [huge, apart, tied],
        "leaves_inputs_unchanged": [scores_case(rng, "random", 3, 4)],
    }


def svm_scores_case(rng: np.random.Generator, label: str, n: int, c: int) -> Case:
    """Order-1 scores with every margin at least 0.05 away from its kink."""
    case = scores_case(rng, label, n, c)
    x, y = case.args["x"], case.args["y"]
    rows = np.arange(n)
    margins = x - x[rows, y][:, None] + 1.0
    near = (np.abs(margins) < 0.05) & (np.arange(c)[None, :] != y[:, None])
    x[near] += np.where(margins[near] >= 0, 0.1, -0.1)
    return case


@generator
def svm_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    mixed = svm_scores_case(rng, "some rows with every margin inactive", 6, 5)
    x, y = mixed.args["x"], mixed.args["y"]
    x[[0, 3], y[[0, 3]]] += 10.0  # these rows' correct class wins by far: zero gradient rows
    return {
        "gradient_check": [svm_scores_case(rng, "scores of order 1", 5, 4), svm_scores_case(rng, "batch of 1", 1, 6)],
        "reference": [svm_scores_case(rng, "batch of 1, two classes", 1, 2),
                      svm_scores_case(rng, "scores of order 1", 7, 5),
                      svm_scores_case(rng, "scores of order 1, many classes", 3, 10)],
        "inactive_margins": [mixed],
        "leaves_inputs_unchanged": [svm_scores_case(rng, "random", 3, 4)],
    }


def regression_case(rng: np.random.Generator, label: str, shape: tuple[int, ...], error_scale: float,
                delta: float) -> Case:
    """pred and target whose differences keep at least 0.05 away from ±delta."""
    target = _randn(rng, *shape)
    diff = _randn(rng, *shape, scale=error_scale)
    near = np.abs(np.abs(diff) - delta) < 0.05
    diff[near] += np.sign(diff[near]) * 0.1
    return Case(label, {"pred": target + diff, "target": target, "delta": delta})


@generator
def regression_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    delta = float(rng.uniform(0.5, 2.0))
    far = regression_case(rng, "TD errors of 10 to 1000 times delta", (4, 5), 1.0, delta)
    far_diff = rng.uniform(10.0, 1000.0, (4, 5)) * delta * np.where(rng.random((4, 5)) < 0.5, -1, 1)
    far.args["pred"] = far.args["target"] + far_diff
    mixed = regression_case(rng, "errors both inside and far beyond delta", (30,), 1.0, 1.0)
    mixed.args["pred"][::3] += 500.0
    return {
        "gradient_check": [regression_case(rng, f"errors around delta = {delta:.3g}", (4, 3), delta, delta),
                           regression_case(rng, "delta = 1", (6,), 1.5, 1.0)],
        "reference": [regression_case(rng, "one element", (1,), 3.0, 1.0),
                      regression_case(rng, f"delta = {delta:.3g}", (5, 4), 2.0 * delta, delta),
                      regression_case(rng, "delta = 0.1", (2, 3, 2), 0.2, 0.1)],
        "beyond_delta": [far, mixed],
        "leaves_inputs_unchanged": [regression_case(rng, "random", (3, 4), 1.5, 1.0)],
    }


# --- recurrent ----------------------------------------------------------------------------------

def rnn_step_case(rng: np.random.Generator, label: str, n: int, d: int, h: int, weight_scale: float = 0.4) -> Case:
    args = {"x": _randn(rng, n, d), "prev_h": _randn(rng, n, h, scale=0.5),
            "Wx": _randn(rng, d, h, scale=weight_scale), "Wh": _randn(rng, h, h, scale=weight_scale),
            "b": _randn(rng, h, scale=0.1)}
    return _layer_case(label, args, (n, h), rng)


def _half_saturated_step(rng: np.random.Generator) -> Case:
    """A step where weights of std 300 saturate half the hidden units and the other half stay live.

    With every unit saturated the true gradient is all zeros, which a backward returning zeros
    matches and a wrong formula matches too on some seeds; the live units keep both from passing.
    """
    case = rnn_step_case(rng, "weights of std 300 for half the units (pre-activations up to ±1000), "
                              "the others live", 4, 5, 6, weight_scale=300.0)
    live = rng.permutation(6)[:3]
    for weights in ("Wx", "Wh"):
        case.args[weights][:, live] *= 0.4 / 300.0
    return case


@generator
def rnn_step_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "gradient_check": [rnn_step_case(rng, "N=3, D=4, H=5", 3, 4, 5), rnn_step_case(rng, "N=2, D=3, H=3", 2, 3, 3)],
        "reference": [rnn_step_case(rng, "batch of 1, one input feature", 1, 1, 4),
                      rnn_step_case(rng, "N=4, D=6, H=3", 4, 6, 3),
                      rnn_step_case(rng, "square Wx (H = D)", 3, 5, 5)],
        "saturation": [_half_saturated_step(rng)],
        "leaves_inputs_unchanged": [rnn_step_case(rng, "random", 2, 3, 4)],
    }


def sequence_case(rng: np.random.Generator, label: str, n: int, steps: int, d: int, h: int,
              radius: float | None = None, last_step_only: bool = False) -> Case:
    Wh = _randn(rng, h, h, scale=0.4) if radius is None else _with_spectral_radius(rng, h, radius)
    scale = 0.4 if radius is None else 0.05  # small inputs keep tanh near-linear: the rho**T regime
    args = {"x": _randn(rng, n, steps, d, scale=scale * 2.5), "h0": _randn(rng, n, h, scale=scale),
            "Wx": _randn(rng, d, h, scale=scale), "Wh": Wh, "b": _randn(rng, h, scale=0.1 * scale)}
    case = _layer_case(label, args, (n, steps, h), rng)
    if last_step_only:
        assert case.dout is not None  # a layer case always has an upstream gradient
        case.dout[:, :-1] = 0.0
    return case


@generator
def rnn_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "gradient_check": [sequence_case(rng, "T=4, N=2, D=3, H=4", 2, 4, 3, 4),
                           sequence_case(rng, "T=3, batch of 1", 1, 3, 2, 3)],
        "reference": [sequence_case(rng, "T=1", 2, 1, 3, 4), sequence_case(rng, "T=6, N=3, D=2, H=5", 3, 6, 2, 5),
                      sequence_case(rng, "T=5, square Wx (H = D)", 2, 5, 4, 4)],
        "exploding": [sequence_case(rng, "T=25, H=5, spectral radius 1.5", 2, 25, 3, 5, radius=1.5),
                      sequence_case(rng, "T=50, H=5, spectral radius 1.2, gradient only at the last step",
                                1, 50, 3, 5, radius=1.2, last_step_only=True)],
        "vanishing": [sequence_case(rng, "T=25, H=5, spectral radius 0.6", 2, 25, 3, 5, radius=0.6),
                      sequence_case(rng, "T=50, H=5, spectral radius 0.9, gradient only at the last step",
                                1, 50, 3, 5, radius=0.9, last_step_only=True)],
        "leaves_inputs_unchanged": [sequence_case(rng, "random", 2, 4, 3, 3)],
    }


def grads_case(rng: np.random.Generator, label: str, total: float, max_norm: float) -> Case:
    """Three arrays of different shapes and norms whose global norm is ``total``."""
    arrays = {"W1": _randn(rng, 4, 3, scale=5.0), "b1": _randn(rng, 3), "W2": _randn(rng, 3, 2, scale=0.2)}
    norm = np.sqrt(sum(float(np.sum(a**2)) for a in arrays.values()))
    return Case(label, {"grads": {k: a * (total / norm) for k, a in arrays.items()}, "max_norm": max_norm})


@generator
def clip_cases(rng: np.random.Generator) -> dict[str, list[Case]]:
    max_norm = float(rng.uniform(1.0, 10.0))
    return {
        "below_max_norm": [grads_case(rng, "global norm half of max_norm", 0.5 * max_norm, max_norm),
                           grads_case(rng, "global norm 0.99 of max_norm", 0.99 * max_norm, max_norm)],
        "above_max_norm": [grads_case(rng, "global norm 3 times max_norm", 3.0 * max_norm, max_norm),
                           grads_case(rng, "global norm 1e6 times max_norm", 1e6 * max_norm, max_norm)],
        "leaves_inputs_unchanged": [grads_case(rng, "global norm above max_norm", 2.0 * max_norm, max_norm)],
    }


def cases_for(function: GradedFunction, seed: int) -> dict[str, list[Case]]:
    """Every case of every check of ``function``, drawn from ``seed`` by the generator its entry names
    (one stream per function, numbered by its place in ``spec.FUNCTIONS``, so adding a case to one
    function never changes another's)."""
    index = [f.name for f in FUNCTIONS].index(function.name)
    rng = np.random.default_rng([seed, index])
    cases = GENERATORS[function.cases](rng)
    missing = {check.id for check in function.checks} - set(cases)
    if missing:
        raise RuntimeError(f"no cases for {function.name}: {sorted(missing)}")
    return cases
