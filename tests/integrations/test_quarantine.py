"""What nbgrader copies of a submission is bounded before it reads any (``nbgrader/submitted.py``): a file
too large, or one past what a submission may hold besides its notebooks and modules, is moved aside
whole, without being copied; the honest student beside it keeps every file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

from autograder.integrations.nbgrader.submitted import (
    MAX_FILE_BYTES,
    MAX_OTHER_BYTES,
    MAX_OTHER_FILES,
    QUARANTINE,
    quarantine,
)

ASSIGNMENT = "backprop"
OWN = ("1_saturated_sigmoids.ipynb", "layers.py", "rnn_layers.py", "timestamp.txt")


def _released(course: Path) -> None:
    folder = course / "release" / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1_saturated_sigmoids.ipynb").write_text("{}\n")


def _student(course: Path, name: str) -> Path:
    _released(course)
    folder = course / "submitted" / name / ASSIGNMENT
    folder.mkdir(parents=True)
    for own in OWN:
        (folder / own).write_text("{}\n")
    return folder


def _sparse(path: Path, size: int) -> None:
    """A file of ``size`` bytes that takes almost no disk (as ``truncate`` makes it): nbgrader would copy it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.truncate(size)


def _kept(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_a_sparse_file_of_a_gigabyte_is_moved_aside_not_copied(tmp_path: Path) -> None:
    honest, hostile = _student(tmp_path, "ada"), _student(tmp_path, "mallory")
    (honest / "notes.md").write_text("my notes\n")
    _sparse(hostile / "data.bin", 1 << 30)
    moved = quarantine(tmp_path, release="release")
    assert moved == [f"mallory/{ASSIGNMENT}/data.bin is over {MAX_FILE_BYTES >> 20} MB: moved to "
                     f"{QUARANTINE}/mallory/{ASSIGNMENT}/data.bin"]
    aside = tmp_path / QUARANTINE / "mallory" / ASSIGNMENT / "data.bin"
    assert aside.stat().st_size == 1 << 30 and aside.stat().st_blocks * 512 < 1 << 20, "moved, not copied"
    assert _kept(hostile) == set(OWN) and _kept(honest) == {*OWN, "notes.md"}


def test_many_files_each_small_cannot_add_up_past_the_bounds(tmp_path: Path) -> None:
    """Sparse files just under the limit of one file, and more small files than a submission may hold."""
    wide, many = _student(tmp_path, "mallory"), _student(tmp_path, "oscar")
    each = MAX_FILE_BYTES - 1
    for number in range(40):  # 40 * 32 MB of copies, in a folder
        _sparse(wide / "data" / f"part{number:02}.bin", each)
    for number in range(MAX_OTHER_FILES + 5):
        (many / f"note{number:04}.txt").write_text("x")
    quarantine(tmp_path, release="release")
    kept_bytes = sum(path.stat().st_size for path in (wide / "data").iterdir())
    assert kept_bytes <= MAX_OTHER_BYTES < kept_bytes + each + 100, "as many as fit are kept, in name order"
    assert sorted(path.name for path in (wide / "data").iterdir()) == [f"part{n:02}.bin" for n in range(1)]
    assert {"1_saturated_sigmoids.ipynb", "layers.py", "rnn_layers.py"} <= _kept(wide) and \
        {"1_saturated_sigmoids.ipynb", "layers.py", "rnn_layers.py"} <= _kept(many)
    assert len(_kept(many)) == MAX_OTHER_FILES + 4  # the notebook, the two modules and the timestamp besides
    assert len(os.listdir(tmp_path / QUARANTINE / "oscar" / ASSIGNMENT)) == 5
    assert (wide / "timestamp.txt").is_file() and (many / "timestamp.txt").is_file()


def test_notebooks_the_course_did_not_release_count_as_the_students_own(tmp_path: Path) -> None:
    """Forty sparse notebooks of 31 MB at the top of a submission: only the released one is the course's."""
    extra = _student(tmp_path, "mallory")
    for number in range(40):
        _sparse(extra / f"copy{number:02}.ipynb", MAX_FILE_BYTES - 1)
    quarantine(tmp_path, release="release")
    kept = [path for path in extra.glob("copy*.ipynb")]
    assert sum(path.stat().st_size for path in kept) <= MAX_OTHER_BYTES and len(kept) == 2
    assert (extra / "1_saturated_sigmoids.ipynb").is_file()
