"""The reference's answers are computed without watching what it does to its inputs (it is trusted, and
watching cost a third of their time): they are the answers it gives when watched, on every seed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograder import DEFAULT_REFERENCE
from autograder.core import calling
from autograder.core.spec import FUNCTIONS
from autograder.grading import grade as grading
from autograder.grading.reference import load_reference

REFERENCE = load_reference(DEFAULT_REFERENCE)


def _plain(value: Any) -> Any:
    """``value`` with each array as its dtype, shape and bytes: comparable with ==, NaN included."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@pytest.mark.parametrize("seed", range(6))
def test_the_references_answers_are_those_it_gives_when_watched(seed: int) -> None:
    plans = {function.name: grading.plan(function, seed) for function in FUNCTIONS}
    answers = grading.collect_reference(REFERENCE.modules, plans)
    for function in FUNCTIONS:
        requests = [planned.request for planned in plans[function.name]]
        watched = calling.run_function(REFERENCE.modules[function.module], function, requests)
        assert all(reply["changed"] == [] for reply in watched), function.name
        assert _plain(answers[function.name]) == _plain(watched), function.name
