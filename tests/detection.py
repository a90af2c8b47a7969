"""Planting an error in one element of a correct gradient, and asking each oracle whether it sees it.

Plant an error of relative size ``epsilon`` in one element of a correct gradient (the element of
median magnitude) and ask each oracle whether it sees it. Runs in-process on the reference (it
measures the checker's arithmetic, not the transport). ``tools/detection_bounds.py`` (``make
verdicts``) bisects on ``epsilon`` and prints the smallest error caught per function and size;
``tests/core/test_numeric.py`` asserts the stated bounds on random cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from autograder import DEFAULT_REFERENCE
from autograder.core.calling import run_case
from autograder.core.cases import (
    Case,
    affine_case,
    elementwise_case,
    regression_case,
    rnn_step_case,
    scores_case,
    sequence_case,
    svm_scores_case,
)
from autograder.core.spec import BY_NAME, GradedFunction
from autograder.grading.reference import load_modules
from autograder.grading.verdicts import fd_indices, judge_finite_differences, judge_reference

# Stated bounds (README), following from the tolerances in autograder/grading/verdicts.py: the reference oracle
# catches any relative error above REFERENCE_BOUND in an element at least 1% of the tensor's largest,
# at every size; finite differences catch one above FINITE_DIFFERENCE_BOUND in an element at least
# 10% of the largest, in tensors of up to FINITE_DIFFERENCE_SIZE elements (their rounding noise grows
# with the number of outputs summed into the checked scalar).
REFERENCE_BOUND = 3e-6
FINITE_DIFFERENCE_BOUND = 1e-3
FINITE_DIFFERENCE_SIZE = 1_000

REFERENCE = load_modules(DEFAULT_REFERENCE)


def _side(size: int) -> int:
    return max(2, round(size**0.5))


# size -> (case, name of the gradient tensor to plant the error in); each tensor has ~size elements.
MAKERS: dict[str, Callable[[np.random.Generator, int], tuple[Case, str]]] = {
    "affine_backward": lambda rng, s: (affine_case(rng, "", (8, _side(s)), _side(s)), "dw"),
    "relu_backward": lambda rng, s: (elementwise_case(rng, "", rng.standard_normal(s) + np.sign(
        rng.standard_normal(s)) * 0.05), "dx"),
    "sigmoid_backward": lambda rng, s: (elementwise_case(rng, "", 2 * rng.standard_normal(s)), "dx"),
    "tanh_backward": lambda rng, s: (elementwise_case(rng, "", rng.standard_normal(s)), "dx"),
    "softmax_loss": lambda rng, s: (scores_case(rng, "", s // 10, 10), "dx"),
    "svm_loss": lambda rng, s: (svm_scores_case(rng, "", s // 10, 10), "dx"),
    "huber_loss": lambda rng, s: (regression_case(rng, "", (s,), 1.5, 1.0), "dpred"),
    "clipped_square_loss": lambda rng, s: (regression_case(rng, "", (s,), 1.0, 1.5), "dpred"),
    "rnn_step_backward": lambda rng, s: (rnn_step_case(rng, "", 4, 4, _side(s)), "dWh"),
    "rnn_backward": lambda rng, s: (sequence_case(rng, "", 2, 4, 3, _side(s)), "dWh"),
}


def _planted(reply: dict, tensor: str, index: int, epsilon: float) -> dict:
    grads = dict(reply["grads"])
    planted = grads[tensor].copy()
    planted.flat[index] *= 1.0 + epsilon
    grads[tensor] = planted
    return {**reply, "grads": grads}


class Detector:
    """Both oracles' verdicts on one case with an error planted in one element of one tensor."""

    def __init__(self, function: GradedFunction, case: Case, tensor: str):
        self.function, self.case, self.tensor = function, case, tensor
        module = REFERENCE[function.module]
        wrt = dict(function.grads)[tensor]
        self.indices = {wrt: fd_indices(function, case)[wrt]}
        self.reply = run_case(module, function, {"args": case.args, "dout": case.dout, "perturb": self.indices})
        self.check = next(c for c in function.checks if c.id == "reference")

    def median_element(self) -> int:
        """The element of median magnitude among the nonzero ones (a relative error of 0 is 0)."""
        values = np.abs(self.reply["grads"][self.tensor]).ravel()
        nonzero = np.flatnonzero(values)
        return int(nonzero[np.argsort(values[nonzero])[nonzero.size // 2]])

    def caught(self, index: int, epsilon: float) -> tuple[bool, bool]:
        """(reference oracle caught it, finite differences caught it)."""
        planted = _planted(self.reply, self.tensor, index, epsilon)
        by_reference = bool(judge_reference(self.function, self.check, self.case, planted, self.reply))
        by_fd = bool(judge_finite_differences(self.function, self.case, planted, self.reply, self.indices))
        return by_reference, by_fd


def detector_for(name: str, size: int, seed: int) -> Detector:
    case, tensor = MAKERS[name](np.random.default_rng(seed), size)
    return Detector(BY_NAME[name], replace(case), tensor)

