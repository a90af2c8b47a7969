"""One environment: requirements.lock pins what make installs, what Gradescope installs and what students install."""

from __future__ import annotations

import importlib.metadata
import tomllib
import zipfile
from pathlib import Path

import numpy as np
from packaging.requirements import Requirement

from autograder import DEFAULT_RELEASE, KIT_ROOT
from autograder.course.release import LOCK, STUDENT_PACKAGES, locked_versions, student_requirements
from autograder.integrations.gradescope import build_bundle

PROJECT = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
STUDENT = [Requirement(line) for line in PROJECT["optional-dependencies"]["student"]]
# The TA's, not the grader's: the similarity review, and class-report's plots.
TA_TOOLS = [Requirement(line) for extra in ("similarity", "class") for line in PROJECT["optional-dependencies"][extra]]


def _pins(lines: list[str]) -> dict[str, str]:
    """name -> exact version of each requirement line, which must pin exactly one version."""
    pins = {}
    for line in lines:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pins[requirement.name] = specifier.version
    return pins


def test_the_lock_pins_every_runtime_student_and_ta_tool_dependency_inside_pyprojects_ranges() -> None:
    locked = locked_versions()
    assert sorted(locked) == sorted({r.name for r in RUNTIME} | {r.name for r in STUDENT} | {r.name for r in TA_TOOLS})
    for requirement in RUNTIME + STUDENT + TA_TOOLS:
        assert requirement.specifier.contains(locked[requirement.name]), (requirement, locked[requirement.name])
    assert list(STUDENT_PACKAGES) == ["numpy", *(r.name for r in STUDENT)]


def test_the_bundle_the_release_and_the_lock_agree(tmp_path: Path) -> None:
    locked = locked_versions()
    build_bundle(tmp_path / "autograder.zip")
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        bundle = _pins(archive.read("requirements.txt").decode().splitlines())
    released = (DEFAULT_RELEASE / "requirements.txt").read_text(encoding="utf-8")
    assert released == student_requirements()  # `make release` was run after the lock last changed
    students = _pins(released.splitlines())
    assert bundle == {r.name: locked[r.name] for r in RUNTIME}
    assert students == {name: locked[name] for name in STUDENT_PACKAGES}
    assert bundle["numpy"] == students["numpy"] == locked["numpy"]  # the grader's numpy is the students'


def test_the_installed_versions_are_the_locked_ones() -> None:
    locked = locked_versions()
    assert np.__version__ == locked["numpy"]
    for name, version in locked.items():
        assert importlib.metadata.version(name) == version, name


def test_make_installs_with_the_lock_as_constraints() -> None:
    makefile = (KIT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"LOCK := {LOCK.relative_to(KIT_ROOT)}" in makefile
    assert "-c $(LOCK) -e '.[dev]'" in makefile
    assert "$(INSTALLED): pyproject.toml $(LOCK)" in makefile  # a new lock reinstalls
