"""Naming the mistake: the Diagnoser against the real catalogue, in-process, on the grader's own cases."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from autograder import DEFAULT_REFERENCE
from autograder.core.calling import run_case
from autograder.core.cases import Case, cases_for
from autograder.core.spec import BY_NAME
from autograder.grading.mistakes import Diagnoser
from autograder.grading.reference import load_reference
from autograder.grading.verdicts import Finding

REFERENCE = load_reference(DEFAULT_REFERENCE)


def _named(function: str, backward: Callable[..., Any], case: Case, tensors: tuple[str, ...] = ()) -> set[str]:
    """The ids the Diagnoser names for ``backward`` (standing in for the student's ``function``) on ``case``;
    ``tensors`` are the findings' wrong tensors."""
    graded = BY_NAME[function]
    module = REFERENCE.modules[graded.module]
    student = SimpleNamespace(**{graded.forward: getattr(module, graded.forward), function: backward})
    request = {"args": case.args, "dout": case.dout}
    with np.errstate(all="ignore"):
        reply = run_case(student, graded, request)
    findings = [Finding(case.label, "wrong", tensor=t) for t in tensors] or [Finding(case.label, "wrong")]
    diagnoser = Diagnoser(list(REFERENCE.mistakes), REFERENCE.modules)
    return {mistake_id for mistake_id, _ in diagnoser.name_mistakes(graded, request, reply, findings)}


def _case(function: str, check: str, label: str, seed: int = 3) -> Case:
    return next(c for c in cases_for(BY_NAME[function], seed)[check] if c.label == label)


def _dx_without_transpose(dout: np.ndarray, cache: tuple) -> tuple:
    x, w, b = cache
    dx = (dout @ w).reshape(x.shape)  # raises on this line: its line number is not the catalogue's
    return dx, x.reshape(len(x), -1).T @ dout, dout.sum(0)


def _dw_without_transpose(dout: np.ndarray, cache: tuple) -> tuple:
    x, w, b = cache
    dw = np.matmul(x.reshape(len(x), -1), dout)
    return (dout @ w.T).reshape(x.shape), dw, dout.sum(0)


@pytest.mark.parametrize("seed", range(5))
def test_a_crash_names_the_mistake_that_raises_the_same_error(seed: int) -> None:
    case = _case("affine_backward", "reference", "large w (std 100)", seed)  # w is (7, 3): no product fits
    assert _named("affine_backward", _dx_without_transpose, case) == {"affine_dx_without_transpose"}
    assert _named("affine_backward", _dw_without_transpose, case) == {"affine_dw_without_transpose"}


def test_a_crash_of_another_kind_names_nothing() -> None:
    case = _case("affine_backward", "reference", "large w (std 100)")

    def indexes_too_far(dout: np.ndarray, cache: tuple) -> tuple:
        return cache[3], dout, dout

    def transposes_nothing(dout: np.ndarray, cache: tuple) -> tuple:
        raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0 (size 1 is different "
                         "from 2) and something else")

    assert _named("affine_backward", indexes_too_far, case) == set()
    assert _named("affine_backward", transposes_nothing, case) == set()


def test_a_crash_is_compared_without_its_numbers_and_its_line() -> None:
    case = _case("affine_backward", "reference", "large w (std 100)")
    graded = BY_NAME["affine_backward"]
    request = {"args": case.args, "dout": case.dout}
    diagnoser = Diagnoser(list(REFERENCE.mistakes), REFERENCE.modules)
    # The same product of other sizes (reshaped differently, say), raised on another line of another file.
    reply = {"error": "ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                      "signature (n?,k),(k,m?)->(n?,m?) (size 99 is different from 98) (line 12: dx = dout.dot(w))",
             "not_implemented": False}
    named = {m for m, _ in diagnoser.name_mistakes(graded, request, reply, [Finding(case.label, reply["error"])])}
    assert {"affine_dx_without_transpose", "affine_dw_without_transpose"} <= named
    unwritten = {"error": "NotImplementedError: affine_backward", "not_implemented": True}
    assert diagnoser.name_mistakes(graded, request, unwritten, [Finding(case.label, "x")]) == ()


def test_an_overflowing_dx_is_not_named_as_an_overflowing_loss() -> None:
    case = _case("softmax_loss", "large_scores", "rows thousands apart")
    reference = REFERENCE.modules["layers"]

    def dx_overflows(x: np.ndarray, y: np.ndarray) -> tuple:
        loss, _ = reference.softmax_loss(x, y)
        probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        probs[np.arange(len(y)), y] -= 1
        return loss, probs / len(y)

    def both_overflow(x: np.ndarray, y: np.ndarray) -> tuple:
        probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        loss = -np.mean(x[np.arange(len(y)), y] - np.log(np.exp(x).sum(axis=1)))  # inf, not NaN: still named
        probs[np.arange(len(y)), y] -= 1
        return loss, probs / len(y)

    assert _named("softmax_loss", dx_overflows, case, ("dx",)) == {"softmax_unstable"}
    assert _named("softmax_loss", both_overflow, case, ("out", "dx")) == {"softmax_unstable_loss"}


def test_the_log_of_an_underflowed_probability_and_the_batch_maximum_are_named() -> None:
    case = _case("softmax_loss", "large_scores", "rows thousands apart")
    reference = REFERENCE.modules["layers"]

    def log_of_probs(x: np.ndarray, y: np.ndarray) -> tuple:
        _, dx = reference.softmax_loss(x, y)
        shifted = np.exp(x - x.max(axis=1, keepdims=True))
        return -np.log(shifted[np.arange(len(y)), y] / shifted.sum(axis=1)).mean(), dx

    def batch_max(x: np.ndarray, y: np.ndarray) -> tuple:
        loss, _ = reference.softmax_loss(x, y)
        probs = np.exp(x - np.max(x))
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(len(y)), y] -= 1
        return loss, probs / len(y)

    assert _named("softmax_loss", log_of_probs, case, ("out",)) == {"softmax_log_of_underflowed_probability"}
    assert _named("softmax_loss", batch_max, case, ("dx",)) == {"softmax_batch_max"}

