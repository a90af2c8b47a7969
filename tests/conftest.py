"""Fixtures shared by the kit's tests (the helper modules beside this file are importable from every
test folder: ``pythonpath = ["tests"]`` in pyproject.toml)."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from arena import Arena

FAST_LOOP = "not e2e"  # `make fast`'s -m
_WHOLLY_E2E = re.compile(r"^pytestmark = \[?\s*pytest\.mark\.e2e\b", re.M)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In the fast loop, a test module marked ``e2e`` as a whole is not imported at all: every one of its
    tests would be deselected, and importing them (nbgrader, Dask, Jupyter) cost each worker a second."""
    if config.getoption("markexpr") != FAST_LOOP or not collection_path.name.startswith("test_") \
            or collection_path.suffix != ".py":
        return None
    return True if _WHOLLY_E2E.search(collection_path.read_text(encoding="utf-8")) else None


@pytest.fixture
def arena(tmp_path: Path) -> Iterator[Arena]:
    """A place to grade a hostile submission, removed afterwards (tests/arena.py)."""
    place = Arena(tmp_path)
    yield place
    place.close()


@pytest.fixture
def past_the_code_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grading children without the code guard (``sandbox.code_guard``), as if an attacker had got past
    it: the walls under it (Landlock, the syscall filter, the folder and process limits) are tried with
    the raw syscalls that ctypes gives, which the guard refuses first."""
    from autograder.sandbox import runner

    policy = runner.child_policy
    monkeypatch.setattr(runner, "child_policy", lambda *args: {**policy(*args), "code_guard": False})


@pytest.fixture(scope="session")
def _locks(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The folder all of pytest -n's workers share (each one's basetemp is a folder in it); None when serial."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return None
    return tmp_path_factory.getbasetemp().parent


@pytest.fixture(autouse=True)
def _alone_if_marked(request: pytest.FixtureRequest, _locks: Path | None) -> Iterator[None]:
    """Under pytest -n, a test marked ``alone`` runs while no other test does (see pyproject.toml's markers).

    Every test holds a shared flock on one file for as long as it runs (fixtures included), an ``alone`` test
    the exclusive one. The gate in front of it keeps a waiting ``alone`` test from being starved: once it has
    the gate, the other worker starts no new test until the ``alone`` one has the lock.
    """
    if _locks is None:
        yield
        return
    alone = request.node.get_closest_marker("alone") is not None
    with open(_locks / "alone.gate", "a") as gate, open(_locks / "alone.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        fcntl.flock(gate, fcntl.LOCK_UN)
        yield  # the lock is released when the file is closed

