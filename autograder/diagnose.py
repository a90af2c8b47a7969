"""Name the mistake: compare a wrong answer with what each known mistake would have produced.

The catalogue of known mistakes is course content, not grader code: it lives beside the reference
solution (``solutions/backprop/mistakes.py``), one entry per mistake, each a small buggy version of
one function plus the sentence to show a student whose answer it reproduces.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from autograder.execute import run_case
from autograder.judge import REFERENCE_ATOL_OF_MAX, REFERENCE_RTOL, Finding
from autograder.numeric import worst_mismatch
from autograder.spec import GradedFunction

CATALOGUE_FILE = "mistakes.py"


@dataclass(frozen=True)
class Mistake:
    """A known mistake in ``function``: its buggy implementation and what to tell the student."""

    function: str
    explanation: str
    implementation: Any  # called with the reference module first, then the function's own arguments


def load_catalogue(reference_dir: Path) -> list[Mistake]:
    """Read the mistakes catalogue beside the reference; an absent file means no diagnoses."""
    path = reference_dir / CATALOGUE_FILE
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location("backprop_mistakes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [Mistake(*entry) for entry in module.MISTAKES]


def _reproduces(got: np.ndarray, predicted: np.ndarray) -> bool:
    """Whether ``got`` is what the mistake predicts, NaN for NaN included."""
    if predicted.shape != got.shape:
        return False
    nan = np.isnan(predicted)
    if not np.array_equal(nan, np.isnan(got)):
        return False
    atol = REFERENCE_ATOL_OF_MAX * float(np.max(np.abs(predicted[~nan]), initial=0.0))
    return worst_mismatch(got[~nan], predicted[~nan], REFERENCE_RTOL, atol) is None


class Diagnoser:
    """Matches wrong answers against the catalogue, computing each mistake's output once per case."""

    def __init__(self, catalogue: list[Mistake], references: dict[str, ModuleType]):
        self._catalogue = catalogue
        self._references = references
        self._predictions: dict[tuple[int, int], dict[str, Any]] = {}

    def _predict(self, function: GradedFunction, index: int, request: dict[str, Any]) -> dict[str, Any]:
        key = (index, id(request))
        if key not in self._predictions:
            module = self._mistake_module(function, self._catalogue[index])
            with np.errstate(all="ignore"):
                self._predictions[key] = run_case(module, function, {"args": request["args"],
                                                                     "dout": request["dout"]})
        return self._predictions[key]

    def _mistake_module(self, function: GradedFunction, mistake: Mistake) -> SimpleNamespace:
        reference = self._references[function.module]
        return SimpleNamespace(**{function.forward: getattr(reference, function.forward),
                                  function.name: functools.partial(mistake.implementation, reference)})

    def name_mistakes(self, function: GradedFunction, request: dict[str, Any], student: dict[str, Any],
                      findings: list[Finding]) -> tuple[str, ...]:
        """Explanations of every catalogued mistake that reproduces all the wrong tensors of one case."""
        wrong = {f.tensor for f in findings if f.tensor}
        got = student.get("grads", {})
        if not wrong or not wrong <= set(got):
            return ()
        names = []
        for index, mistake in enumerate(self._catalogue):
            if mistake.function != function.name:
                continue
            predicted = self._predict(function, index, request).get("grads", {})
            if all(name in predicted and _reproduces(got[name], predicted[name]) for name in wrong):
                names.append(mistake.explanation)
        return tuple(names)
