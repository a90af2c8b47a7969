"""Points per check, read from the rubric file course staff edit (``solutions/backprop/rubric.toml``).

A check's line is its points (``reference = 3``) or, to choose who sees it on Gradescope, a table
(``exploding = { points = 3, visibility = "after_due_date" }``). Visibility takes Gradescope's values;
the default is "visible".

One setting stands above the tables: ``measured_backward`` says what a function gets whose backward
measures its gradient instead of computing it (``source_reader``): ``"zero"`` (the default: 0 points
for that function, and the student is told why) or ``"flag"`` (its points stand; the TA's outputs
name it for review).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.core.spec import FUNCTIONS

RUBRIC_FILE = "rubric.toml"
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")  # Gradescope's names
VISIBLE = VISIBILITIES[0]
MEASURED_BACKWARD = ("zero", "flag")  # what a backward that measures its gradient gets


class RubricError(ValueError):
    """The rubric does not match the graded checks exactly."""


@dataclass(frozen=True)
class Rubric:
    """What every check is worth, who sees it, and what a measured backward gets."""

    points: dict[str, dict[str, float]]  # function name -> check id -> points
    visibility: dict[str, dict[str, str]]  # function name -> check id -> Gradescope visibility
    measured_backward: str = MEASURED_BACKWARD[0]  # "zero" or "flag"

    @property
    def zeroes_measured(self) -> bool:
        """Does a function whose backward measures its gradient score 0?"""
        return self.measured_backward == "zero"


def _entry(value: Any) -> tuple[Any, Any, list[str]]:
    """(points, visibility, problems) of one check's line: a number, or a table with points."""
    if not isinstance(value, dict):
        return value, VISIBLE, []
    unknown = [f"unknown key '{key}'" for key in sorted(set(value) - {"points", "visibility"})]
    return value.get("points"), value.get("visibility", VISIBLE), unknown


def _table(reference_dir: Path) -> dict[str, Any]:
    path = reference_dir / RUBRIC_FILE
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise RubricError(f"no rubric at {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"{path} is not valid TOML: {error}") from None


def load_rubric(reference_dir: Path) -> Rubric:
    """The rubric of ``reference_dir``: every graded check priced, and no other (else RubricError)."""
    path = reference_dir / RUBRIC_FILE
    table = _table(reference_dir)
    policy = table.pop("measured_backward", MEASURED_BACKWARD[0])
    problems = [f"[{name}] is not a graded function" for name in table if name not in {f.name for f in FUNCTIONS}]
    rubric: dict[str, dict[str, float]] = {}
    visibility: dict[str, dict[str, str]] = {}
    for function in FUNCTIONS:
        given = table.get(function.name, {})
        expected = {check.id for check in function.checks}
        problems += [f"[{function.name}] has no points for '{c}'" for c in sorted(expected - set(given))]
        problems += [f"[{function.name}] '{c}' is not one of its checks {sorted(expected)}"
                     for c in sorted(set(given) - expected)]
        rubric[function.name], visibility[function.name] = {}, {}
        for check in (c for c in given if c in expected):
            points, seen_by, unknown = _entry(given[check])
            problems += [f"[{function.name}] '{check}': {problem}" for problem in unknown]
            if not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
                problems.append(f"[{function.name}] '{check}' must be a number >= 0")
            else:
                rubric[function.name][check] = float(points)
            if seen_by not in VISIBILITIES:
                problems.append(f"[{function.name}] '{check}' visibility must be one of {list(VISIBILITIES)}")
            visibility[function.name][check] = seen_by
    if policy not in MEASURED_BACKWARD:
        problems.append(f"measured_backward must be one of {list(MEASURED_BACKWARD)}")
    if problems:
        raise RubricError(f"{path}: " + "; ".join(problems))
    return Rubric(rubric, visibility, str(policy))
