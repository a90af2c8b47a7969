"""One environment: requirements.lock pins what Gradescope and students install, and requirements-dev.lock,
resolved within it, every package make installs in .venv."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder import DEFAULT_RELEASE, KIT_ROOT
from autograder.course.release import LOCK, STUDENT_PACKAGES, locked_versions, student_requirements
from autograder.integrations.gradescope import build_bundle

PROJECT = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
STUDENT = [Requirement(line) for line in PROJECT["optional-dependencies"]["student"]]
# The TA's, not the grader's: the similarity review, and class-report's plots.
TA_TOOLS = [Requirement(line) for extra in ("similarity", "class") for line in PROJECT["optional-dependencies"][extra]]
# Everything `make` installs: the dev extra names the others (student, nbgrader, ...) as backprop-kit[...].
DEV = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]
DEV_LOCK = KIT_ROOT / "requirements-dev.lock"


def _dev_lock() -> list[tuple[Requirement, list[str]]]:
    """Each entry of requirements-dev.lock (uv pip compile's format) with its hashes."""
    entries: list[tuple[Requirement, list[str]]] = []
    text = DEV_LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith(("#", " ")) or not line.strip():
            continue
        requirement, *hashes = line.split(" --hash=")
        entries.append((Requirement(requirement.strip()), [h.strip() for h in hashes]))
    return entries


def _dev_pins_here() -> dict[str, str]:
    """name -> version of each requirements-dev.lock entry whose marker holds on this machine."""
    pins = {}
    for requirement, _ in _dev_lock():
        if requirement.marker is None or requirement.marker.evaluate():
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


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


def test_the_full_lock_pins_exactly_with_hashes_within_the_lock_and_pyprojects_ranges() -> None:
    entries = _dev_lock()
    locked = locked_versions()
    pinned: dict[str, set[str]] = {}
    for requirement, hashes in entries:
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", requirement
        assert hashes and all(h.startswith("sha256:") for h in hashes), requirement  # uv checks every download
        pinned.setdefault(canonicalize_name(requirement.name), set()).add(specifier.version)
    for name, version in locked.items():  # the grader's and the students' versions are the TAs' and the kit's
        assert pinned[canonicalize_name(name)] == {version}, name
    for requirement in RUNTIME + STUDENT + TA_TOOLS + [r for r in DEV if r.name != "backprop-kit"]:
        versions = pinned[canonicalize_name(requirement.name)]
        assert all(requirement.specifier.contains(v) for v in versions), (requirement, versions)


def test_the_installed_versions_are_the_locked_ones() -> None:
    locked = locked_versions()
    assert np.__version__ == locked["numpy"]
    for name, version in locked.items():
        assert importlib.metadata.version(name) == version, name


def test_the_environment_holds_the_full_lock_and_nothing_else() -> None:
    """Both ways: every locked package at its version, and no package the lock does not name (uv pip sync)."""
    pins = _dev_pins_here()
    # Only .venv's own site-packages: once imported, setuptools puts the packages it vendors on sys.path too.
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions(path=site)}
    installed.pop("backprop-kit")  # the kit itself, installed editable after the sync
    installed.pop("pip", None)  # put in by python3 -m venv, to install uv; nothing imports it
    assert installed == pins


def test_make_installs_the_full_lock_with_the_uv_it_pins(tmp_path: Path) -> None:
    makefile = (KIT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"LOCK := {LOCK.relative_to(KIT_ROOT)}" in makefile
    assert f"DEV_LOCK := {DEV_LOCK.relative_to(KIT_ROOT)}" in makefile
    assert "$(UV) pip sync --quiet --python $(PY) $(DEV_LOCK)" in makefile
    assert "$(INSTALLED): pyproject.toml $(LOCK) $(DEV_LOCK)" in makefile  # a new lock reinstalls
    assert "pyproject.toml --extra dev -c $(LOCK) $(foreach" in makefile  # make lock resolves within LOCK
    assert "-o $(DEV_LOCK)" in makefile
    if shutil.which("make") is None:
        return
    for name in ("Makefile", "pyproject.toml", LOCK.name, DEV_LOCK.name):
        shutil.copy(KIT_ROOT / name, tmp_path / name)
    planned = subprocess.run(["make", "-n", "-C", str(tmp_path), ".venv/bin/uv", f"PYTHON={sys.executable}"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    assert f"uv=={_dev_pins_here()['uv']}" in planned.split()


def test_what_the_lock_leaves_out_is_not_needed() -> None:
    """rfc3987-syntax (0.9 s at every import of nbformat) is left out of the lock: notebooks still validate,
    with jsonschema's format checks, and no schema nbformat or nbgrader reads asks for the one it checked."""
    import importlib.util

    import nbformat

    makefile = (KIT_ROOT / "Makefile").read_text(encoding="utf-8")
    left_out = re.search(r"^NOT_INSTALLED := (.*)$", makefile, re.M)
    assert left_out is not None and set(left_out.group(1).split()) == {"rfc3987-syntax", "lark"}
    assert not any(importlib.util.find_spec(name) for name in ("rfc3987_syntax", "lark"))
    notebook = nbformat.read(KIT_ROOT / "solutions" / "backprop" / sorted(
        path.name for path in (KIT_ROOT / "solutions" / "backprop").glob("*.ipynb"))[0], as_version=4)
    nbformat.validate(notebook)
    broken = nbformat.from_dict({**notebook, "cells": [{"cell_type": "code", "id": "broken", "source": 3}]})
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(broken)
