"""Points per check, read from the rubric file course staff edit (``solutions/backprop/rubric.toml``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from autograder.spec import FUNCTIONS

RUBRIC_FILE = "rubric.toml"


class RubricError(ValueError):
    """The rubric does not match the graded checks exactly."""


def load_rubric(reference_dir: Path) -> dict[str, dict[str, float]]:
    """Return function name -> check id -> points; every graded check must be priced, no other."""
    path = reference_dir / RUBRIC_FILE
    try:
        table = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise RubricError(f"no rubric at {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"{path} is not valid TOML: {error}") from None
    problems = [f"[{name}] is not a graded function" for name in table if name not in {f.name for f in FUNCTIONS}]
    rubric: dict[str, dict[str, float]] = {}
    for function in FUNCTIONS:
        given = table.get(function.name, {})
        expected = {check.id for check in function.checks}
        problems += [f"[{function.name}] has no points for '{c}'" for c in sorted(expected - set(given))]
        problems += [f"[{function.name}] '{c}' is not one of its checks {sorted(expected)}"
                     for c in sorted(set(given) - expected)]
        bad = [c for c, p in given.items() if not isinstance(p, int | float) or isinstance(p, bool) or p < 0]
        problems += [f"[{function.name}] '{c}' must be a number >= 0" for c in bad]
        rubric[function.name] = {c: float(p) for c, p in given.items() if c in expected and c not in bad}
    if problems:
        raise RubricError(f"{path}: " + "; ".join(problems))
    return rubric
