"""make refuses a Python older than pyproject.toml's requires-python at once, before it creates .venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder import KIT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _kit_without_venv(tmp_path: Path) -> Path:
    """The files make reads, in a folder with no .venv yet."""
    tmp_path.mkdir(exist_ok=True)
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(KIT_ROOT / name, tmp_path / name)
    return tmp_path


def _fake_python(tmp_path: Path, version: str) -> Path:
    """An executable that answers every question as a Python of ``version`` would be asked its version."""
    fake = tmp_path / "bin" / "python3.10"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    return fake


def _make(kit: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "-C", str(kit), *arguments],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("dry_run", [[], ["-n"]])
def test_an_old_python_stops_make_demo_in_one_line_before_any_venv(tmp_path: Path, dry_run: list[str]) -> None:
    kit = _kit_without_venv(tmp_path / "kit")
    fake = _fake_python(tmp_path, "3.10.12")
    done = _make(kit, *dry_run, "demo", f"PYTHON={fake}")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{fake} is Python 3.10.12, and the kit needs Python >= 3.11" in lines[0]
    assert "run make demo PYTHON=python3." in lines[0]
    assert "venv" not in done.stdout  # nothing was run, or printed as to be run
    assert not (kit / ".venv").exists()


def test_a_missing_python_is_named(tmp_path: Path) -> None:
    done = _make(_kit_without_venv(tmp_path), "check-python", "PYTHON=no-such-python")
    assert done.returncode != 0
    assert "no-such-python is not a working Python, and the kit needs Python >= 3.11" in done.stderr


@pytest.mark.parametrize("version", ["3.11.0", "3.12.4", "3.14.0", "4.0.0"])
def test_a_recent_enough_python_passes(tmp_path: Path, version: str) -> None:
    kit = _kit_without_venv(tmp_path / "kit")
    done = _make(kit, "check-python", f"PYTHON={_fake_python(tmp_path, version)}")
    assert done.returncode == 0, done.stderr


def test_this_python_passes_and_the_minimum_is_pyprojects(tmp_path: Path) -> None:
    kit = _kit_without_venv(tmp_path)
    assert _make(kit, "check-python", f"PYTHON={sys.executable}").returncode == 0
    requires = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    shown = _make(kit, "-p", "-q", "check-python").stdout  # make's database: MIN_PYTHON as it read it
    assert f"MIN_PYTHON := {requires.removeprefix('>=')}" in shown


def test_make_test_installs_chromium_first(tmp_path: Path) -> None:
    """A fresh machine (CI): make test installs the browser the HTML report's test needs, before pytest."""
    missing = tmp_path / "no-chromium"
    planned = _make(_kit_without_venv(tmp_path / "kit"), "-n", "test", f"CHROMIUM={missing}",
                    f"PYTHON={sys.executable}").stdout
    assert "apt-get install -y -qq chromium" in planned
    assert planned.index("apt-get install") < planned.index("-m pytest")


def test_without_apt_get_a_missing_chromium_is_one_line(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("sh", "sed", "id", "test"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    missing = tmp_path / "no-chromium"
    done = subprocess.run([shutil.which("make") or "make", "--no-print-directory", "-s", "-C",
                           str(_kit_without_venv(tmp_path / "kit")), "browser", f"CHROMIUM={missing}"],
                          capture_output=True, text=True, timeout=30, env={"PATH": str(tools)})
    assert done.returncode != 0
    assert f"error: {missing} is missing and there is no apt-get: install chromium" in done.stderr.splitlines()[0]
