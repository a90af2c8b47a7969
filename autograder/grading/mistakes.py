"""Name the mistake: compare a wrong answer with what each known mistake would have produced.

The catalogue of known mistakes is course content, not grader code: it lives beside the reference
solution (``solutions/backprop/mistakes.py``), one entry per mistake, each a small buggy version of
one function plus the sentence to show a student whose answer it reproduces.
"""

from __future__ import annotations

import functools
import re
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
    with the reference module first, then the function's own arguments. ``when``, if given, is
    called with the case's forward arguments (by name) and says whether the mistake can be told
    apart on that case: elsewhere it is never named (a softmax shifted by the batch's maximum gives
    what the row maximum gives when no row is far below the largest score).
    """

    function: str
    explanation: str
    implementation: Callable[..., Any]
    forward: Callable[..., Any] | None = None
    when: Callable[..., bool] | None = None

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


def freeze(value: Any) -> None:
    """Make every array within ``value`` (dicts, lists and tuples of them) read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            freeze(item)
    elif isinstance(value, list | tuple):
        for item in value:
            freeze(item)


def _reproduces(got: np.ndarray, predicted: np.ndarray) -> bool:
    """Whether ``got`` is what the mistake predicts.

    Where the prediction is NaN or inf (an overflowing formula, the log of 0), the student's answer
    must be NaN or inf too, at some of those places and nowhere else: the same slip written another
    way can give inf where the entry gives NaN (``log(inf)`` against ``inf / inf``). Everywhere both
    are numbers they must agree.
    """
    if predicted.shape != got.shape:
        return False
    predicted_bad, got_bad = ~np.isfinite(predicted), ~np.isfinite(got)
    if (got_bad & ~predicted_bad).any() or predicted_bad.any() != got_bad.any():
        return False
    both = ~predicted_bad & ~got_bad
    atol = REFERENCE_ATOL_OF_MAX * float(np.max(np.abs(predicted[both]), initial=0.0))
    return worst_mismatch(got[both], predicted[both], REFERENCE_RTOL, atol) is None


def _spoils(predicted: np.ndarray, got: np.ndarray) -> bool:
    """Whether the prediction is NaN or inf somewhere ``got`` holds a number."""
    return predicted.shape == got.shape and bool((~np.isfinite(predicted) & np.isfinite(got)).any())


# The part of a reply's error that names the submission's line: it differs between the student's file
# and the catalogue's, so crashes are compared without it (``calling.describe_exception`` writes it).
_WHERE = re.compile(r" \(line \d+: .*$", re.DOTALL)
_NUMBER = re.compile(r"\d+")


def _crash(error: str) -> str:
    """An error without the line it came from: the exception type and its message."""
    return _WHERE.sub("", error)


def _same_crash(predicted: str, student: str) -> bool:
    """Whether two errors are the same exception with the same message once the numbers (sizes,
    indices) are taken out."""
    return bool(predicted) and _NUMBER.sub("#", _crash(predicted)) == _NUMBER.sub("#", _crash(student))


def _values(reply: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every tensor a reply carries, the forward output or loss included."""
    values = dict(reply.get("grads", {}))
    if "out" in reply:
        values[OUTPUT] = reply["out"]
    return values


# What the mistakes give on cases every grade of a process meets (the class probe's): (function, position
# of the case among that function's planned cases, mistake index) -> the prediction, made read-only.
SharedPredictions = dict[tuple[str, int, int], dict[str, Any]]


class Diagnoser:
    """Matches wrong answers against the catalogue, computing each mistake's output once per case (once
    per process for the cases ``share`` names)."""

    def __init__(self, catalogue: list[Mistake], references: dict[str, ModuleType]):
        self._catalogue = catalogue
        self._references = references
        self._predictions: dict[tuple[int, int], dict[str, Any]] = {}
        self._shared: dict[int, tuple[SharedPredictions, str, int]] = {}
        self._requests: list[dict[str, Any]] = []  # kept alive: their ids key ``_shared``

    def share(self, requests: dict[str, list[dict[str, Any]]], store: SharedPredictions) -> None:
        """Take and keep this grade's predictions for ``requests`` (function -> its cases' requests, the
        same cases for every grade that passes ``store``) in ``store``."""
        for name, cases in requests.items():
            for position, request in enumerate(cases):
                self._shared[id(request)] = (store, name, position)
                self._requests.append(request)

    def _mistake_module(self, function: GradedFunction, mistake: Mistake) -> SimpleNamespace:
        reference = self._references[function.module]
        forward = getattr(reference, function.forward)
        if mistake.forward is not None:
            forward = functools.partial(mistake.forward, reference)
        return SimpleNamespace(**{function.forward: forward,
                                  function.name: functools.partial(mistake.implementation, reference)})

    def _predict(self, function: GradedFunction, index: int, request: dict[str, Any]) -> dict[str, Any]:
        """What the mistake gives on the case; ``{}`` where it cannot be told apart (its ``when``)."""
        key = (index, id(request))
        if key not in self._predictions:
            shared = self._shared.get(id(request))
            kept = shared[0].get((shared[1], shared[2], index)) if shared is not None else None
            if kept is None:
                kept = self._run(function, self._catalogue[index], request)
                if shared is not None:
                    freeze(kept)  # read by every later grade: none may change it
                    shared[0][(shared[1], shared[2], index)] = kept
            self._predictions[key] = kept
        return self._predictions[key]

    def _run(self, function: GradedFunction, mistake: Mistake, request: dict[str, Any]) -> dict[str, Any]:
        with np.errstate(all="ignore"):
            if mistake.when is not None and not mistake.when(**request["args"]):
                return {}
            module = self._mistake_module(function, mistake)
            return run_case(module, function, {"args": request["args"], "dout": request["dout"]})

    def _matches(self, predicted: dict[str, Any], student: dict[str, Any], wrong: set[str]) -> bool:
        if not predicted or predicted.get("error"):
            return False
        if wrong:
            expected, got = _values(predicted), _values(student)
            # A mistake that would have made a tensor the student got right NaN or inf is another one
            # (the loss and dx of an overflowing softmax, when only dx overflowed).
            spoils_a_right_one = any(name not in wrong and name in got and _spoils(expected[name], got[name])
                                     for name in expected)
            return not spoils_a_right_one and all(
                name in expected and name in got and _reproduces(got[name], expected[name]) for name in wrong)
        # Nothing wrong in the values: the finding is about inputs modified in place.
        return bool(student.get("changed")) and predicted.get("changed") == student.get("changed")

    def _crashes_alike(self, function: GradedFunction, request: dict[str, Any], error: str) -> list[Mistake]:
        """The mistakes that raise the student's exception on this case.

        Compared without numbers, a crash still names a mistake when the student computed the same
        product in another way; when some mistakes give the very same message, numbers included (the
        same sizes), they are the ones named: ``dout @ w`` and ``x @ dout`` both make matmul refuse
        its operands, but with different sizes.
        """
        alike = [(mistake, self._predict(function, index, request).get("error", ""))
                 for index, mistake in enumerate(self._catalogue) if mistake.function == function.name]
        alike = [(mistake, predicted) for mistake, predicted in alike if _same_crash(predicted, error)]
        exact = [mistake for mistake, predicted in alike if _crash(predicted) == _crash(error)]
        return exact or [mistake for mistake, _ in alike]

    def name_mistakes(self, function: GradedFunction, request: dict[str, Any], student: dict[str, Any],
                      findings: list[Finding]) -> tuple[tuple[str, str], ...]:
        """(id, explanation) of every catalogued mistake that reproduces all that is wrong in one case:
        every wrong tensor, or else the inputs the student modified, or else the exception the
        student's code raised."""
        if student.get("not_implemented") or student.get("import_failed"):
            return ()
        if student.get("error"):
            named = self._crashes_alike(function, request, str(student["error"]))
        else:
            wrong = {f.tensor for f in findings if f.tensor}
            named = [mistake for index, mistake in enumerate(self._catalogue) if mistake.function == function.name
                     and self._matches(self._predict(function, index, request), student, wrong)]
        return tuple((mistake.id, mistake.explanation) for mistake in named)
