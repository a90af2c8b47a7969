"""Name the mistake: compare a wrong answer with what each known mistake would have produced.

The catalogue of known mistakes is course content, not grader code: it lives beside the reference
solution (``solutions/backprop/mistakes.py``), one entry per mistake, each a small buggy version of
one function plus the sentence to show a student whose answer it reproduces.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from autograder.core.calling import run_case
from autograder.core.modules import load_module
from autograder.core.numeric import REFERENCE_ATOL_OF_MAX, REFERENCE_RTOL, worst_mismatch
from autograder.core.spec import GradedFunction
from autograder.grading.verdicts import OUTPUT, Finding

CATALOGUE_FILE = "mistakes.py"


@dataclass(frozen=True)
class Mistake:
    """A known mistake in ``function``: its buggy implementation and what to tell the student.

    ``implementation`` (and ``forward``, when the mistake starts in the forward pass) are called
    with the reference module first, then the function's own arguments.
    """

    function: str
    explanation: str
    implementation: Callable[..., Any]
    forward: Callable[..., Any] | None = None

    @property
    def id(self) -> str:
        return self.implementation.__name__


def load_catalogue(reference_dir: Path) -> list[Mistake]:
    """Read the mistakes catalogue beside the reference; an absent file means no diagnoses."""
    path = reference_dir / CATALOGUE_FILE
    if not path.is_file():
        return []
    module = load_module(path, "backprop_mistakes")
    return [Mistake(*entry) for entry in module.MISTAKES]


def _reproduces(got: np.ndarray, predicted: np.ndarray) -> bool:
    """Whether ``got`` is what the mistake predicts.

    Where the prediction is NaN (an overflowing formula), the student's answer must have NaN too,
    at some of those places and nowhere else; everywhere both are numbers they must agree.
    """
    if predicted.shape != got.shape:
        return False
    predicted_nan, got_nan = np.isnan(predicted), np.isnan(got)
    if (got_nan & ~predicted_nan).any() or predicted_nan.any() != got_nan.any():
        return False
    both = ~predicted_nan & ~got_nan
    atol = REFERENCE_ATOL_OF_MAX * float(np.max(np.abs(predicted[both]), initial=0.0))
    return worst_mismatch(got[both], predicted[both], REFERENCE_RTOL, atol) is None


def _values(reply: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every tensor a reply carries, the forward output or loss included."""
    values = dict(reply.get("grads", {}))
    if "out" in reply:
        values[OUTPUT] = reply["out"]
    return values


class Diagnoser:
    """Matches wrong answers against the catalogue, computing each mistake's output once per case."""

    def __init__(self, catalogue: list[Mistake], references: dict[str, ModuleType]):
        self._catalogue = catalogue
        self._references = references
        self._predictions: dict[tuple[int, int], dict[str, Any]] = {}

    def _mistake_module(self, function: GradedFunction, mistake: Mistake) -> SimpleNamespace:
        reference = self._references[function.module]
        forward = getattr(reference, function.forward)
        if mistake.forward is not None:
            forward = functools.partial(mistake.forward, reference)
        return SimpleNamespace(**{function.forward: forward,
                                  function.name: functools.partial(mistake.implementation, reference)})

    def _predict(self, function: GradedFunction, index: int, request: dict[str, Any]) -> dict[str, Any]:
        key = (index, id(request))
        if key not in self._predictions:
            module = self._mistake_module(function, self._catalogue[index])
            with np.errstate(all="ignore"):
                self._predictions[key] = run_case(module, function, {"args": request["args"],
                                                                     "dout": request["dout"]})
        return self._predictions[key]

    def _matches(self, predicted: dict[str, Any], student: dict[str, Any], wrong: set[str]) -> bool:
        if predicted.get("error"):
            return False
        if wrong:
            expected, got = _values(predicted), _values(student)
            return all(name in expected and name in got and _reproduces(got[name], expected[name])
                       for name in wrong)
        # Nothing wrong in the values: the finding is about inputs modified in place.
        return bool(student.get("changed")) and predicted.get("changed") == student.get("changed")

    def name_mistakes(self, function: GradedFunction, request: dict[str, Any], student: dict[str, Any],
                      findings: list[Finding]) -> tuple[tuple[str, str], ...]:
        """(id, explanation) of every catalogued mistake that reproduces all that is wrong in one case:
        every wrong tensor, or else the inputs the student modified."""
        if student.get("error"):
            return ()
        wrong = {f.tensor for f in findings if f.tensor}
        return tuple((mistake.id, mistake.explanation) for index, mistake in enumerate(self._catalogue)
                     if mistake.function == function.name
                     and self._matches(self._predict(function, index, request), student, wrong))
