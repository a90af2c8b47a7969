"""Fixtures shared by the kit's tests (the helper modules beside this file are importable from every
test folder: ``pythonpath = ["tests"]`` in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from arena import Arena


@pytest.fixture
def arena(tmp_path: Path) -> Iterator[Arena]:
    """A place to grade a hostile submission, removed afterwards (tests/arena.py)."""
    place = Arena(tmp_path)
    yield place
    place.close()
