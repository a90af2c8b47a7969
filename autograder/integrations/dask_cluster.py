"""Grading on a Dask cluster: each submission's files travel with its task, the Grade comes back.

The client (``grade-all --scheduler ADDRESS``) sends each submission's two modules as bytes, and the
reference once per worker, so workers need the kit installed but no shared file system. A worker
writes the reference into a private folder once, loads it once, and grades each task in its own
sandbox; the client writes every output file.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, Protocol, TypeVar

import psutil

from autograder.core.spec import MODULES
from autograder.grading.grade import Grade, GraderError, check_sandbox, grade
from autograder.grading.reference import REFERENCE_FILES, Reference, load_reference
from autograder.sandbox.scratch import MAX_SOURCE_BYTES


class Task(Protocol):
    """What a task must say: whose submission, where it is, its seed and the class probe's (or None)."""

    @property
    def student(self) -> str: ...
    @property
    def folder(self) -> Path: ...
    @property
    def seed(self) -> int: ...
    @property
    def probe(self) -> int | None: ...


T = TypeVar("T", bound=Task)

Packed = dict[str, tuple[str, Any]]


def pack_submission(folder: Path) -> Packed:
    """The student's two modules as the grader would find them: their bytes, or what they are instead
    (a symlink, not a file, too large), so a worker's grader gives the very same messages."""
    packed: Packed = {}
    for module in MODULES:
        path = folder / f"{module}.py"
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            packed[path.name] = ("symlink", os.readlink(path))
        elif not stat.S_ISREG(info.st_mode):
            packed[path.name] = ("not a file", None)
        elif info.st_size > MAX_SOURCE_BYTES:
            packed[path.name] = ("too large", info.st_size)
        else:
            with path.open("rb") as file:
                packed[path.name] = ("file", file.read(MAX_SOURCE_BYTES + 1))
    return packed


def unpack_submission(packed: Packed, folder: Path) -> None:
    """Recreate a packed submission in ``folder``."""
    for name, (kind, value) in packed.items():
        path = folder / Path(name).name
        if kind == "symlink":
            path.symlink_to(value)
        elif kind == "not a file":
            path.mkdir()
        elif kind == "too large":  # a sparse file of the same size: refused for its size, by name
            with path.open("wb") as file:
                file.truncate(value)
        else:
            path.write_bytes(value)


def pack_reference(reference: Path) -> dict[str, bytes]:
    return {name: (reference / name).read_bytes() for name in REFERENCE_FILES
            if (reference / name).is_file()}


_REFERENCES: dict[str, Reference] = {}  # on a worker: content digest -> the reference loaded from its copy
REFERENCE_PREFIX = "backprop-reference-"


def remove_stale_references(temp: Path | None = None) -> None:
    """Remove the reference copies of worker processes that are gone: a worker stopped by SIGTERM or
    SIGKILL never runs its exit handlers. A folder is named after its process (``...-PID-random``)."""
    for folder in Path(temp or tempfile.gettempdir()).glob(f"{REFERENCE_PREFIX}*-*"):
        pid = folder.name[len(REFERENCE_PREFIX):].split("-", 1)[0]
        with suppress(OSError):
            if pid.isdigit() and folder.stat().st_uid == os.geteuid() and not psutil.pid_exists(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _worker_reference(files: dict[str, bytes]) -> Reference:
    """Write the reference once per worker process into a folder only this user can read, and load it
    once: every task the worker runs for this batch grades against the same Reference."""
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in sorted(files.items())))
    key = digest.hexdigest()
    if key not in _REFERENCES:
        remove_stale_references()
        # 0o700: the sandbox's user can't read it.
        folder = Path(tempfile.mkdtemp(prefix=f"{REFERENCE_PREFIX}{os.getpid()}-"))
        atexit.register(shutil.rmtree, folder, True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        _REFERENCES[key] = load_reference(folder)
    return _REFERENCES[key]


def grade_packed(packed: Packed, reference: dict[str, bytes], seed: int, seconds: float,
                 probe: int | None = None) -> tuple[Grade, dict[str, str]]:
    """A worker's task: grade one packed submission in this machine's sandbox (concurrent, since other
    workers and threads may share the machine), with the class probe's digests where ``probe`` is set."""
    from autograder.integrations.similarity import grade_with_probe

    check_sandbox(concurrent=True)  # before anything is written
    with tempfile.TemporaryDirectory(prefix="backprop-submission-") as folder:
        unpack_submission(packed, Path(folder))
        loaded = _worker_reference(reference)
        if probe is None:
            return grade(Path(folder), loaded, seed, seconds, concurrent=True), {}
        return grade_with_probe(Path(folder), loaded, seed, probe, seconds, concurrent=True)


def grade_on_cluster(tasks: list[T], reference: Reference, scheduler: str, seconds: float,
                     probes: dict[str, dict[str, str]] | None = None) -> Iterator[tuple[T, Grade | BaseException]]:
    """Grade ``tasks`` on the Dask scheduler at ``scheduler``, yielding each with its Grade (or the error
    that stopped it) as it completes, and filling ``probes`` (student -> the class probe's digests);
    GraderError if Dask is missing or the scheduler cannot be reached."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError("--scheduler needs Dask: pip install 'backprop-kit[cluster]'") from None
    try:
        client = Client(scheduler)
    except OSError as error:  # refused, unreachable, timed out
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        [shared] = client.scatter([pack_reference(reference.folder)], broadcast=True)  # one copy per worker, sent once
        window = 2 * sum(client.nthreads().values()) + 4  # keeps workers busy without reading every file at once
        pending = iter(tasks)
        running: dict[Any, T] = {}
        unreadable: list[tuple[T, BaseException]] = []
        queue = as_completed()

        def submit_next() -> None:
            for task in pending:
                try:
                    packed = pack_submission(task.folder)
                except OSError as error:  # a file this process may not read: that student's problem only
                    unreadable.append((task, error))
                    continue
                future = client.submit(grade_packed, packed, shared, task.seed, seconds, task.probe,
                                       key=f"grade-{task.student}-{secrets.token_hex(4)}", pure=False)
                running[future] = task
                queue.add(future)
                return

        for _ in range(window):
            submit_next()
        yield from unreadable
        for future in queue:
            task = running.pop(future)
            try:
                graded, digests = future.result()
            except Exception as error:  # a lost worker, a task the cluster gave up on
                yield task, error
            else:
                if probes is not None:
                    probes[task.student] = digests
                yield task, graded
            unreadable.clear()
            submit_next()
            yield from unreadable
