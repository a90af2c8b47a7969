"""The folders one submission's child works in, and the safe copy of the student's files into them.

    ROOT/            made by the grader (0o711: the child may pass through, not list)
      request.bin    the cases; written by the grader, read by the child before it is shut in
      submission/    copies of the student's modules: regular files only, size-capped, text only
      work/          the child's own folder, owned by the child's user: its replies and anything it writes

The child imports the copies, never the originals: a symlink cannot lead it elsewhere, a file being
edited cannot change under it, and nothing else in the submission folder (a ``conftest.py``, a
``numpy.py``) is ever seen.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import tempfile
import tokenize
from contextlib import suppress
from pathlib import Path

from autograder.core.text import T_, Text
from autograder.sandbox import wire

MAX_SOURCE_BYTES = 1 << 20  # a layers.py is ~20 kB; anything near this is not source code
REQUEST = "request.bin"  # in ROOT: what the child is asked (``wire.write``)


class SubmissionError(ValueError):
    """A student file that cannot be graded; the message (``text``) is for the student."""

    def __init__(self, text: Text) -> None:
        super().__init__(text)
        self.text = text


def read_source(path: Path) -> bytes:
    """The bytes of a student's module, refusing symlinks, non-files, huge, binary or undecodable files."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SubmissionError(T_("{file} is missing from the submission", file=path.name)) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SubmissionError(T_("{file} is a symbolic link; submit the file itself", file=path.name)) from None
        raise SubmissionError(T_("{file} could not be opened ({error})", file=path.name,
                                 error=error.strerror)) from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise SubmissionError(T_("{file} is not a regular file", file=path.name))
    with os.fdopen(handle, "rb") as file:
        source = file.read(MAX_SOURCE_BYTES + 1) if info.st_size <= MAX_SOURCE_BYTES else b""
    if info.st_size > MAX_SOURCE_BYTES or len(source) > MAX_SOURCE_BYTES:  # the second: it grew meanwhile
        size = max(info.st_size, len(source))
        raise SubmissionError(T_("{file} is {size}, over the {limit} limit for a source file", file=path.name,
                                 size=wire.megabytes(size), limit=wire.megabytes(MAX_SOURCE_BYTES)))
    if b"\0" in source:
        raise SubmissionError(T_("{file} is not a text file (it contains NUL bytes); is it the right file?",
                                 file=path.name))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        source.decode(encoding)
    except (SyntaxError, LookupError) as error:
        raise SubmissionError(T_("{file} could not be read as Python source: {error}", file=path.name,
                                 error=str(error))) from None
    except UnicodeDecodeError as error:
        line = source[:error.start].count(b"\n") + 1
        raise SubmissionError(T_("{file} is not valid {encoding} text (byte 0x{byte:02x} on line {line}); "
                                 "save it as UTF-8",
                                 file=path.name, encoding=encoding, byte=source[error.start], line=line)) from None
    return source


def folder_usage(folder: Path, most_entries: int, pid: int | None = None) -> tuple[int, int]:
    """(bytes, entries) in ``folder``, counting at most ``most_entries + 1`` entries. A file counts its size
    or the disk it holds, whichever is more (``fallocate`` can hold disk past a file's size); with the pid
    of the child that writes there, the bytes its processes hide from the listing count too (``unseen_bytes``)."""
    size = unseen_bytes(pid) if pid is not None else 0
    entries = 0
    with os.scandir(folder) as listing:
        for entry in listing:
            entries += 1
            try:
                if entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    size += max(info.st_size, info.st_blocks * 512)
            except FileNotFoundError:
                continue  # renamed or removed since the listing (a reply moving into place): nothing to count
            if entries > most_entries:
                break
    return size, entries


MOST_PROCESSES = 256  # of one child's tree looked at: its user may run 32 (``host.Limits.extra_processes``)


def unseen_bytes(pid: int) -> int:
    """Disk held by files that the process ``pid`` and its descendants keep open but that no longer have a
    name (one renamed over, or removed, while open): the folder's listing (``folder_usage``) does not show
    them. Counted in blocks, so a sparse file counts what it holds, each file once; 0 where ``/proc`` cannot
    be read. The grader's memfd of watched inputs, inherited, is not the child's (it cannot make one)."""
    seen, waiting, counted = set[int](), [pid], dict[tuple[int, int], int]()
    while waiting and len(seen) < MOST_PROCESSES:
        current = waiting.pop()
        if current in seen:
            continue
        seen.add(current)
        with suppress(OSError), os.scandir(f"/proc/{current}/task") as tasks:
            for task in tasks:
                with suppress(OSError, ValueError), open(f"{task.path}/children") as children:
                    waiting.extend(int(child) for child in children.read().split())
        for held in ("fd", "map_files"):  # open descriptors, and files mapped into memory (readable as root)
            _count_unnamed(f"/proc/{current}/{held}", counted)
    return sum(blocks for blocks in counted.values())


def _count_unnamed(folder: str, counted: dict[tuple[int, int], int]) -> None:
    """Add to ``counted`` each file with no name that an entry of ``/proc/PID/fd`` or ``map_files`` leads to."""
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with suppress(OSError):
                info = os.stat(entry.path)  # the file itself, through the entry's link
                if stat.S_ISREG(info.st_mode) and info.st_nlink == 0 and \
                        not os.readlink(entry.path).startswith("/memfd:"):
                    counted[(info.st_dev, info.st_ino)] = info.st_blocks * 512


class Scratch:
    """A fresh ROOT with ``submission/`` and ``work/``; removed with everything in it on exit."""

    def __init__(self, owner: tuple[int, int] | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="backprop-grade-"))
        self.submission = self.root / "submission"
        self.work = self.root / "work"
        self.request = self.root / REQUEST
        self.submission.mkdir()
        self.work.mkdir()
        # Explicit modes, whatever the umask: the child's user must pass ROOT and read submission/.
        os.chmod(self.root, 0o711)
        os.chmod(self.submission, 0o755)
        os.chmod(self.work, 0o700)
        if owner is not None:
            os.chown(self.work, *owner)

    def write_request(self, message: dict) -> None:
        """Write the cases for the child, readable but not writable by it."""
        wire.write(self.request, message)
        os.chmod(self.request, 0o644)

    def copy(self, name: str, source: bytes) -> None:
        """Place a checked student module into ``submission/``, readable but not writable by the child."""
        path = self.submission / name
        path.write_bytes(source)
        os.chmod(path, 0o644)

    def reply(self, function: str) -> Path:
        """Where the child writes its reply for ``function``."""
        return self.work / f"reply-{function}.bin"

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *_: object) -> None:
        # The child owns work/ and may have taken its own permissions away; we own ROOT and can give them back.
        with suppress(OSError):
            os.chmod(self.work, 0o700)
        shutil.rmtree(self.root, ignore_errors=True)
