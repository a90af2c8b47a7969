"""What is graded: one entry per student function, with its calling convention and its checks.

Nothing here knows a correct gradient. The reference solution is the only oracle of values; this
module only says how to call a function, what comes back, which inputs it is differentiable in,
where its kinks are, and which checks (each a rubric line) it gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np


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
    """

    name: str
    module: str
    kind: Kind
    forward: str
    args: tuple[str, ...]
    grads: tuple[tuple[str, str], ...]
    checks: tuple[Check, ...]

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


def _layer(name: str, module: str, args: tuple[str, ...], grads: tuple[tuple[str, str], ...], *targeted: Check):
    forward = name.replace("_backward", "_forward")
    return GradedFunction(name, module, Kind.LAYER, forward, args, grads,
                          (GRADCHECK, REFERENCE, *targeted, UNTOUCHED_LAYER))


def _loss(name: str, args: tuple[str, ...], grad: str, wrt: str, *targeted: Check):
    return GradedFunction(name, "layers", Kind.LOSS, name, args, ((grad, wrt),),
                          (GRADCHECK, REFERENCE, *targeted, UNTOUCHED_LOSS))


SATURATION = Check("saturation", "saturated units, alone and after an affine layer with a large W "
                   "(pre-activations up to ±1000)", Oracle.REFERENCE)
SATURATED_STEP = Check("saturation", "saturated tanh: weights of std 300, pre-activations up to ±1000",
                       Oracle.REFERENCE)

FUNCTIONS: tuple[GradedFunction, ...] = (
    _layer("affine_backward", "layers", ("x", "w", "b"), (("dx", "x"), ("dw", "w"), ("db", "b")),
           Check("square_weights", "square weights, where a missing transpose still fits", Oracle.REFERENCE),
           Check("dead_units", "dead units downstream give exactly zero dw columns and db entries",
                 Oracle.REFERENCE, exact_zeros=True)),
    _layer("relu_backward", "layers", ("x",), (("dx", "x"),),
           Check("dead_units", "dead units get exactly zero gradient; any subgradient at x == 0",
                 Oracle.REFERENCE, exact_zeros=True)),
    _layer("sigmoid_backward", "layers", ("x",), (("dx", "x"),), SATURATION),
    _layer("tanh_backward", "layers", ("x",), (("dx", "x"),), SATURATION),
    _loss("softmax_loss", ("x", "y"), "dx", "x",
          Check("large_scores", "scores in the thousands", Oracle.REFERENCE)),
    _loss("svm_loss", ("x", "y"), "dx", "x",
          Check("inactive_margins", "rows whose margins are all or partly inactive", Oracle.REFERENCE)),
    _loss("huber_loss", ("pred", "target", "delta"), "dpred", "pred",
          Check("beyond_delta", "TD errors far beyond delta give a gradient of ±delta / size",
                Oracle.REFERENCE)),
    _loss("clipped_square_loss", ("pred", "target", "delta"), "dpred", "pred",
          Check("beyond_delta", "TD errors far beyond delta give a gradient of exactly 0",
                Oracle.REFERENCE, exact_zeros=True)),
    _layer("rnn_step_backward", "rnn_layers", ("x", "prev_h", "Wx", "Wh", "b"),
           (("dx", "x"), ("dprev_h", "prev_h"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")), SATURATED_STEP),
    _layer("rnn_backward", "rnn_layers", ("x", "h0", "Wx", "Wh", "b"),
           (("dx", "x"), ("dh0", "h0"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")),
           Check("exploding", "BPTT over 25+ steps with spectral radius of Wh above 1", Oracle.REFERENCE),
           Check("vanishing", "BPTT over 25+ steps with spectral radius of Wh below 1", Oracle.REFERENCE)),
    GradedFunction("clip_grad_norm", "rnn_layers", Kind.CLIP, "clip_grad_norm", ("grads", "max_norm"), (),
                   (Check("below_max_norm", "norms below max_norm are returned unchanged", Oracle.REFERENCE),
                    Check("above_max_norm", "norms above max_norm are scaled together (global norm)",
                          Oracle.REFERENCE),
                    Check("leaves_inputs_unchanged", "right values in new arrays, with the input dict unchanged",
                          Oracle.UNTOUCHED))),
)

BY_NAME: dict[str, GradedFunction] = {f.name: f for f in FUNCTIONS}
MODULES: tuple[str, ...] = ("layers", "rnn_layers")
MODULE_FILES: tuple[str, ...] = tuple(f"{module}.py" for module in MODULES)  # what a student hands in


def kink_distance(function: GradedFunction, args: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """How far each differentiable input element is from the nearest kink of ``function``.

    A centred difference that straddles a kink measures an average of two slopes, so elements
    closer than a few steps are left out of finite-difference checks. Smooth functions: +inf.
    Shape of each entry: that of the input.
    """
    far = {wrt: np.full(np.shape(args[wrt]), np.inf) for _, wrt in function.grads}
    if function.name == "relu_backward":
        return {"x": np.abs(args["x"])}
    if function.name == "svm_loss":
        x, y = args["x"], args["y"]
        rows = np.arange(x.shape[0])
        margins = np.abs(x - x[rows, y][:, None] + 1.0)
        margins[rows, y] = np.inf
        # Moving the correct score moves every margin of its row.
        distance = margins.copy()
        distance[rows, y] = margins.min(axis=1)
        return {"x": distance}
    if function.name in ("huber_loss", "clipped_square_loss"):
        delta = float(args["delta"])
        return {"pred": np.abs(np.abs(args["pred"] - args["target"]) - delta)}
    return far


def subgradient_bounds(function: GradedFunction, args: dict[str, np.ndarray], dout: np.ndarray | None,
                       ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Accepted answers where the input sits exactly on a kink: any value in [lower, upper].

    Elsewhere the bounds are NaN, so only the reference tolerance applies.
    """
    bounds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if function.name == "relu_backward":
        x = args["x"]
        assert dout is not None  # relu_backward is a layer: its cases have an upstream gradient
        on_kink = x == 0
        lower = np.where(on_kink, np.minimum(0.0, dout), np.nan)
        upper = np.where(on_kink, np.maximum(0.0, dout), np.nan)
        bounds["x"] = (lower, upper)
    if function.name == "clipped_square_loss":
        diff = args["pred"] - args["target"]
        on_kink = np.abs(diff) == float(args["delta"])
        one_sided = 2.0 * diff / diff.size
        bounds["pred"] = (np.where(on_kink, np.minimum(0.0, one_sided), np.nan),
                          np.where(on_kink, np.maximum(0.0, one_sided), np.nan))
    return bounds
