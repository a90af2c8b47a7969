"""What a child may keep on disk: its folder's size is watched while it runs, and bytes it hides from the
folder's listing (a file renamed over, or made without a name, while held open) count as well."""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import os
import textwrap
from pathlib import Path

import pytest
from arena import Arena
from helpers import scores_by_function

from autograder.grading.grade import grade
from autograder.sandbox import host
from autograder.sandbox.scratch import folder_usage

pytestmark = pytest.mark.skipif(not host.current().seccomp, reason="needs the syscall filter (Linux, libseccomp)")

LIMIT = 8 << 20
CHUNK = 3 << 20

HIDE = textwrap.dedent(f'''
    import os as _os

    _HELD = []

    def relu_backward(dout, cache):
        """The right gradient, after hiding {{count}} x {CHUNK >> 20} MB from the folder's listing (once)."""
        if _HELD:
            return dout * (cache > 0)
        for number in range({{count}}):
            with open("held", "wb") as handle:
                handle.write(b"x")
            kept = open("held", "r+b")
            kept.write(b"x" * {CHUNK})
            kept.flush()
            _os.fsync(kept.fileno())
            if {{mapped}}:  # only a mapping holds it: its descriptors are closed, mmap's own copy too
                import mmap
                free = _os.dup(0)
                _os.close(free)  # the number mmap's copy of the descriptor is about to get
                _HELD.append(mmap.mmap(kept.fileno(), {CHUNK}))
                _os.close(free)
                kept.close()
            else:
                _HELD.append(kept)
            with open("cover", "wb") as handle:
                handle.write(b"y")
            _os.replace("cover", "held")  # the held file has no name now, and keeps its bytes
        import time
        time.sleep(1.0)  # long enough for the folder to be looked at
        return dout * (cache > 0)
''')


@pytest.fixture
def small_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host, "LIMITS", dataclasses.replace(host.LIMITS, folder_bytes=LIMIT))


def _relu(arena: Arena, count: int, mapped: bool = False) -> tuple[tuple[float, float], str]:
    code = HIDE.format(count=count, mapped=mapped)
    result = grade(arena.build("layers", code), arena.reference, 3, seconds_per_function=8)
    messages = " ".join(str(f.message) for r in result.results if r.verdict.function.name == "relu_backward"
                        for f in r.verdict.findings)
    return scores_by_function(result)["relu_backward"], messages


@pytest.mark.parametrize("mapped", [False, True], ids=["open", "mapped"])
def test_bytes_hidden_by_renaming_over_a_held_file_count_against_the_folder(arena: Arena, small_folders,
                                                                           mapped: bool) -> None:
    (points, _), why = _relu(arena, 4, mapped)  # 12 MB held, none of it listed
    assert points == 0 and "wrote over 8 MB into its folder" in why, why


def test_a_held_file_under_the_limit_costs_nothing(arena: Arena, small_folders) -> None:
    (points, most), why = _relu(arena, 1)
    assert points == most, why


FALLOCATE = textwrap.dedent('''
    import os as _os

    def relu_backward(dout, cache):
        """The right gradient, after trying to reserve 64 MB (under the file size limit) without writing it."""
        handle = _os.open("allocated", _os.O_RDWR | _os.O_CREAT, 0o600)
        try:
            _os.posix_fallocate(handle, 0, 64 << 20)
            print("RESERVED")
        except OSError as error:
            print("REFUSED", error.errno)
        _os.close(handle)
        return dout * (cache > 0)
''')


def test_disk_cannot_be_reserved_without_being_written(arena: Arena, small_folders) -> None:
    """fallocate holds gigabytes a second, faster than a watch of the folder stops it: it is refused."""
    result = grade(arena.build("layers", FALLOCATE), arena.reference, 3, seconds_per_function=8)
    printed = result.printed["layers"]
    assert "RESERVED" not in printed and f"REFUSED {errno.EPERM}" in printed, printed
    assert result.score == result.max_score, "honest code around the refusal keeps its marks"


def test_disk_held_past_a_files_size_counts_against_the_folder(tmp_path: Path) -> None:
    """Where a file holds more disk than its size says (fallocate's KEEP_SIZE, made outside a child), the
    folder's size counts the disk."""
    libc = ctypes.CDLL(None, use_errno=True)
    handle = os.open(tmp_path / "allocated", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if libc.fallocate(handle, 1, ctypes.c_long(0), ctypes.c_long(12 << 20)) != 0:  # FALLOC_FL_KEEP_SIZE
            pytest.skip(f"this file system does not reserve disk: {os.strerror(ctypes.get_errno())}")
        assert os.fstat(handle).st_size == 0
        size, entries = folder_usage(tmp_path, 10)
        assert size >= 12 << 20 and entries == 1
    finally:
        os.close(handle)
