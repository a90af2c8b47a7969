"""What is graded: one entry per student function, with its calling convention and its checks.

Nothing here knows a correct gradient. The reference solution is the only oracle of values; this
module only says how to call a function, what comes back, which inputs it is differentiable in,
where its kinks are, and which checks (each a rubric line) it gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np

Inputs = dict[str, np.ndarray]
Bounds = dict[str, tuple[np.ndarray, np.ndarray]]


class Kind(Enum):
    """How a graded function is called."""

    LAYER = "layer"  # out, cache = forward(*args); grads = backward(dout, cache)
    LOSS = "loss"  # loss, grad = function(*args); the loss value is what finite differences see
    CLIP = "clip"  # clipped, total_norm = function(grads, max_norm)


class Oracle(Enum):
    """Who judges a check's cases."""

    FINITE_DIFFERENCES = "finite differences of the given forward"
    REFERENCE = "the reference solution"
    UNTOUCHED = "the reference solution, with the inputs left unchanged"


@dataclass(frozen=True)
class Check:
    """One rubric line: a set of cases judged by one oracle.

    ``exact_zeros`` asks the reference oracle for an exact 0 wherever the reference gradient is
    exactly 0 (dead ReLU units must give exactly zero weight gradients, not merely small ones).
    """

    id: str
    title: str
    oracle: Oracle
    exact_zeros: bool = False


@dataclass(frozen=True)
class GradedFunction:
    """A student function and how to call it.

    ``args`` are the forward's positional arguments, in order. ``grads`` pairs each returned
    gradient with the argument it differentiates (for LOSS: the loss's gradient output).
    ``cases`` names the generator in ``autograder.core.cases`` that draws every check's cases.
    ``kinks`` gives, from the forward's arguments, how far each element of the differentiable inputs
    it covers is from the nearest kink (None: smooth everywhere; see ``kink_distance``).
    ``subgradients`` gives, from the arguments and ``dout``, the answers accepted where an input sits
    exactly on a kink (None: the reference's answer only; see ``subgradient_bounds``).
    ``depends_on`` names the graded functions this one usually calls, so that its feedback can say
    to fix those first when they fail too.
    """

    name: str
    module: str
    kind: Kind
    forward: str
    args: tuple[str, ...]
    grads: tuple[tuple[str, str], ...]
    checks: tuple[Check, ...]
    cases: str
    kinks: Callable[[Inputs], Inputs] | None = None
    subgradients: Callable[[Inputs, np.ndarray | None], Bounds] | None = None
    depends_on: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.module}.py"


GRADCHECK = Check("gradient_check", "finite-difference check of your backward against the given forward",
                  Oracle.FINITE_DIFFERENCES)
REFERENCE = Check("reference", "matches the reference on random cases", Oracle.REFERENCE)
# Rules about inputs are judged with the values: an untouched input earns nothing by itself.
UNTOUCHED_LAYER = Check("leaves_inputs_unchanged", "right values, with dout and the cache left unchanged",
                        Oracle.UNTOUCHED)
UNTOUCHED_LOSS = Check("leaves_inputs_unchanged", "right values, with the inputs left unchanged", Oracle.UNTOUCHED)


def _layer(name: str, module: str, args: tuple[str, ...], grads: tuple[tuple[str, str], ...], *targeted: Check,
           **details) -> GradedFunction:
    forward = name.replace("_backward", "_forward")
    return GradedFunction(name, module, Kind.LAYER, forward, args, grads,
                          (GRADCHECK, REFERENCE, *targeted, UNTOUCHED_LAYER), **details)


def _loss(name: str, args: tuple[str, ...], grad: str, wrt: str, *targeted: Check, **details) -> GradedFunction:
    return GradedFunction(name, "layers", Kind.LOSS, name, args, ((grad, wrt),),
                          (GRADCHECK, REFERENCE, *targeted, UNTOUCHED_LOSS), **details)


SATURATION = Check("saturation", "saturated units, alone and after an affine layer with a large W "
                   "(pre-activations up to ±1000)", Oracle.REFERENCE)
SATURATED_STEP = Check("saturation", "saturated tanh: weights of std 300, pre-activations up to ±1000",
                       Oracle.REFERENCE)


# Kinks and the subgradients accepted on them, for the entries below that have any.

def _relu_kinks(args: Inputs) -> Inputs:
    return {"x": np.abs(args["x"])}


def _relu_subgradients(args: Inputs, dout: np.ndarray | None) -> Bounds:
    assert dout is not None  # relu_backward is a layer: its cases have an upstream gradient
    on_kink = args["x"] == 0
    return {"x": (np.where(on_kink, np.minimum(0.0, dout), np.nan), np.where(on_kink, np.maximum(0.0, dout), np.nan))}


def _hinge_kinks(args: Inputs) -> Inputs:
    """Each score's distance from a hinge margin of 0 (the correct class's: the nearest in its row)."""
    x, y = args["x"], args["y"]
    rows = np.arange(x.shape[0])
    margins = np.abs(x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = np.inf
    # Moving the correct score moves every margin of its row.
    distance = margins.copy()
    distance[rows, y] = margins.min(axis=1)
    return {"x": distance}


def _delta_kinks(args: Inputs) -> Inputs:
    """Each prediction's distance from an error of ±delta, where the loss changes formula."""
    delta = float(args["delta"])
    return {"pred": np.abs(np.abs(args["pred"] - args["target"]) - delta)}


def _clipped_subgradients(args: Inputs, dout: np.ndarray | None) -> Bounds:
    """At an error of exactly ±delta, anything between 0 (beyond) and the square's slope (inside)."""
    diff = args["pred"] - args["target"]
    on_kink = np.abs(diff) == float(args["delta"])
    one_sided = 2.0 * diff / diff.size
    return {"pred": (np.where(on_kink, np.minimum(0.0, one_sided), np.nan),
                     np.where(on_kink, np.maximum(0.0, one_sided), np.nan))}


# The order is that of the reports, and each entry's position picks its stream of random cases
# (``cases.cases_for``): a new entry goes last, so that no other function's cases change.
FUNCTIONS: tuple[GradedFunction, ...] = (
    _layer("affine_backward", "layers", ("x", "w", "b"), (("dx", "x"), ("dw", "w"), ("db", "b")),
           Check("square_weights", "square weights, where a missing transpose still fits", Oracle.REFERENCE),
           Check("dead_units", "dead units downstream give exactly zero dw columns and db entries",
                 Oracle.REFERENCE, exact_zeros=True),
           cases="affine_cases"),
    _layer("relu_backward", "layers", ("x",), (("dx", "x"),),
           Check("dead_units", "dead units get exactly zero gradient; any subgradient at x == 0",
                 Oracle.REFERENCE, exact_zeros=True),
           cases="relu_cases", kinks=_relu_kinks, subgradients=_relu_subgradients),
    _layer("sigmoid_backward", "layers", ("x",), (("dx", "x"),), SATURATION, cases="saturating_cases"),
    _layer("tanh_backward", "layers", ("x",), (("dx", "x"),), SATURATION, cases="saturating_cases"),
    _loss("softmax_loss", ("x", "y"), "dx", "x",
          Check("large_scores", "scores in the thousands", Oracle.REFERENCE),
          cases="softmax_cases"),
    _loss("svm_loss", ("x", "y"), "dx", "x",
          Check("inactive_margins", "rows whose margins are all or partly inactive", Oracle.REFERENCE),
          cases="svm_cases", kinks=_hinge_kinks),
    _loss("huber_loss", ("pred", "target", "delta"), "dpred", "pred",
          Check("beyond_delta", "TD errors far beyond delta give a gradient of ±delta / size",
                Oracle.REFERENCE),
          cases="regression_cases", kinks=_delta_kinks),
    _loss("clipped_square_loss", ("pred", "target", "delta"), "dpred", "pred",
          Check("beyond_delta", "TD errors far beyond delta give a gradient of exactly 0",
                Oracle.REFERENCE, exact_zeros=True),
          cases="regression_cases", kinks=_delta_kinks, subgradients=_clipped_subgradients),
    _layer("rnn_step_backward", "rnn_layers", ("x", "prev_h", "Wx", "Wh", "b"),
           (("dx", "x"), ("dprev_h", "prev_h"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")), SATURATED_STEP,
           cases="rnn_step_cases"),
    _layer("rnn_backward", "rnn_layers", ("x", "h0", "Wx", "Wh", "b"),
           (("dx", "x"), ("dh0", "h0"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")),
           Check("exploding", "BPTT over 25+ steps with spectral radius of Wh above 1", Oracle.REFERENCE),
           Check("vanishing", "BPTT over 25+ steps with spectral radius of Wh below 1", Oracle.REFERENCE),
           cases="rnn_cases", depends_on=("rnn_step_backward",)),
    GradedFunction("clip_grad_norm", "rnn_layers", Kind.CLIP, "clip_grad_norm", ("grads", "max_norm"), (),
                   (Check("below_max_norm", "norms below max_norm are returned unchanged", Oracle.REFERENCE),
                    Check("above_max_norm", "norms above max_norm are scaled together (global norm)",
                          Oracle.REFERENCE),
                    Check("leaves_inputs_unchanged", "right values in new arrays, with the input dict unchanged",
                          Oracle.UNTOUCHED)),
                   cases="clip_cases"),
)

BY_NAME: dict[str, GradedFunction] = {f.name: f for f in FUNCTIONS}
MODULES: tuple[str, ...] = ("layers", "rnn_layers")
MODULE_FILES: tuple[str, ...] = tuple(f"{module}.py" for module in MODULES)  # what a student hands in


def kink_distance(function: GradedFunction, args: Inputs) -> Inputs:
    """How far each differentiable input element is from the nearest kink of ``function`` (its ``kinks``).

    A centred difference that straddles a kink measures an average of two slopes, so elements
    closer than a few steps are left out of finite-difference checks. Smooth inputs: +inf.
    Shape of each entry: that of the input.
    """
    far = {wrt: np.full(np.shape(args[wrt]), np.inf) for _, wrt in function.grads}
    return far if function.kinks is None else far | function.kinks(args)


def subgradient_bounds(function: GradedFunction, args: Inputs, dout: np.ndarray | None) -> Bounds:
    """Accepted answers where the input sits exactly on a kink: any value in [lower, upper] (the
    entry's ``subgradients``).

    Elsewhere the bounds are NaN, so only the reference tolerance applies. Inputs without
    subgradients have no entry.
    """
    return {} if function.subgradients is None else function.subgradients(args, dout)
