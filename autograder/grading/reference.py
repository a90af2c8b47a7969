"""The reference: everything the grader trusts about an assignment, read once per run.

A reference folder (``solutions/backprop``) holds the solution modules (the oracle of values), the
rubric (points, visibility, the measured-backward policy) and the mistake catalogue. ``load_reference``
reads and checks all of it before any student code runs; the one ``Reference`` it returns is passed
to every grade of the run (a batch of 300 students imports the solution once, not 300 times).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from autograder.core.modules import load_module
from autograder.core.spec import MODULE_FILES, MODULES
from autograder.grading.mistakes import CATALOGUE_FILE, Mistake, load_catalogue
from autograder.grading.rubric import RUBRIC_FILE, Rubric, load_rubric

REQUIRED_FILES = (*MODULE_FILES, RUBRIC_FILE)
REFERENCE_FILES = (*REQUIRED_FILES, CATALOGUE_FILE)  # the catalogue is optional: no file, no diagnoses


class GraderError(RuntimeError):
    """The grader itself cannot run (no reference, broken rubric, no sandbox): not the student's fault."""


@dataclass(frozen=True)
class Reference:
    """One assignment's trusted side: its folder, solution modules, rubric and mistake catalogue."""

    folder: Path
    modules: dict[str, ModuleType]  # module name ("layers") -> the solution, imported under a private name
    rubric: Rubric
    mistakes: tuple[Mistake, ...]

    @property
    def visibility(self) -> dict[str, dict[str, str]]:
        """Function name -> check id -> who sees the check on Gradescope."""
        return self.rubric.visibility


def load_modules(folder: Path) -> dict[str, ModuleType]:
    """Import the trusted reference modules under private names (GraderError if one is missing)."""
    modules = {}
    for name in MODULES:
        path = folder / f"{name}.py"
        if not path.is_file():
            raise GraderError(f"the reference has no {path.name} (looked in {folder})")
        modules[name] = load_module(path, f"_reference_{name}", register=True)
    return modules


def load_reference(folder: Path) -> Reference:
    """Read and check the whole reference in ``folder`` (RubricError, GraderError when it is broken)."""
    rubric = load_rubric(folder)
    modules = load_modules(folder)
    return Reference(folder, modules, rubric, tuple(load_catalogue(folder)))


def as_reference(reference: Reference | Path) -> Reference:
    """``reference`` itself, or the reference loaded from that folder."""
    return reference if isinstance(reference, Reference) else load_reference(reference)
