"""Grade a folder of submissions, one sub-folder per student, here or on a Dask cluster.

    python -m autograder grade-all SUBMISSIONS_DIR --out DIR [-j N | --scheduler ADDRESS]

What it writes into DIR:

    STUDENT/report.txt      the readable report, as ``python -m autograder grade`` prints it
    STUDENT/results.json    the Gradescope-format result; written last: a student is done iff it exists
    gradebook.csv           one row per student, rebuilt from every results.json at the end (``gradebook``)
    .backprop_grading_secret  the secret every student's hidden-case seed is derived from

Every file is written to a temporary name and renamed into place, so a run killed at any moment leaves
whole files or none; the next run deletes the leftovers and grades only the students without a
results.json. A submission's code runs only in the grader's sandboxed children, so a hostile or broken
submission costs its own points; an error of the grader on one submission is reported and leaves that
student to the next run, and the batch carries on.

Seeds: each student's hidden cases come from an HMAC of ``backprop/STUDENT`` under the secret, so a
rerun gives the same cases, the seed (recorded in results.json and the gradebook) reproduces one
grade with ``python -m autograder grade DIR --seed N``, and nobody without the secret can predict it.
Pointed at nbgrader's secret (``--secret .backprop_grading_secret``), the seeds are those of
``nbgrader autograde``.

Parallelism: threads, not processes. A grade spends most of its time waiting for its sandboxed
children; on 2 cores a thread pool graded as fast as a process pool, or faster.
On a cluster (``--scheduler``), the client sends each submission's two files and, once, the
reference to the workers, so they need the kit installed but no shared file system; each worker
grades in its own sandbox and sends the Grade back, and the client writes every file.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from autograder import DEFAULT_REFERENCE
from autograder.core.files import PARTIAL, write_atomically
from autograder.core.printable import printable
from autograder.core.spec import MODULES
from autograder.grading.grade import Grade, GraderError, check_sandbox, grade
from autograder.grading.reference import REFERENCE_FILES, Reference, load_reference
from autograder.integrations import gradescope
from autograder.integrations.seeds import SECRET_NAME, read_secret, student_seed
from autograder.outputs import gradebook
from autograder.outputs.report import text_report
from autograder.outputs.results_json import dumps, gradescope_results
from autograder.sandbox.runner import SECONDS_PER_FUNCTION
from autograder.sandbox.scratch import MAX_SOURCE_BYTES

RESULTS = gradebook.RESULTS
REPORT = "report.txt"


@dataclass(frozen=True)
class Task:
    """One student's submission to grade."""

    student: str
    folder: Path
    seed: int


@dataclass
class BatchResult:
    """What one run did."""

    graded: list[str] = field(default_factory=list)  # graded by this run
    already_done: list[str] = field(default_factory=list)  # had a results.json before it started
    failed: dict[str, str] = field(default_factory=dict)  # student -> why no result was written
    refused: dict[str, str] = field(default_factory=dict)  # entry of the submissions folder -> why it is no student
    gradebook: Path | None = None
    rows: int = 0


RESERVED = frozenset({gradebook.GRADEBOOK, SECRET_NAME})


def _refusal(path: Path) -> str:
    """Why an entry of the submissions folder is not graded as a student, or "" if it is one."""
    if path.is_symlink():
        return "it is a symbolic link; put the student's files in a folder of their own"
    if not path.is_dir():
        return "it is a file, not a folder of the student's files"
    if path.name in RESERVED:
        return "its name is one of grade-all's own files"
    if printable(path.name, multiline=False) != path.name or not path.name.isprintable():
        return "its name has characters that do not show as themselves (or is not UTF-8); rename the folder"
    return ""


def find_submissions(folder: Path, out: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Student id (the sub-folder's name) -> the folder holding that student's modules: the sub-folder
    itself, or a folder inside it (nbgrader's ``submitted/STUDENT/backprop/``, an unzipped upload);
    and the entries that are not graded, with why (a file, a symbolic link, a name that would not
    show as itself in the gradebook, or one of grade-all's own names). Hidden entries are skipped."""
    found, refused = {}, {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        why = _refusal(path)
        if why:
            refused[printable(path.name, multiline=False)] = why
            continue
        found[path.name] = gradescope.find_submission(path)[0]
    return found, refused


def _check_folders(submissions: Path, out: Path) -> None:
    """The output folder holds results that mark a student as done: no student may be able to put
    files there, so it lies outside the submissions folder, and holds no part of it."""
    subs, target = submissions.resolve(), out.resolve()
    if target == subs or subs in target.parents or target in subs.parents:
        raise GraderError(f"--out {out} must be outside {submissions} (and not contain it): a student's folder "
                          f"could then hold files that look like results or the grading secret")


def is_done(folder: Path) -> bool:
    """Whether a student's folder in the output holds a complete result (written last, atomically)."""
    return gradebook.student_row(folder) is not None


def remove_leftovers(out: Path) -> None:
    """Delete the temporary files of a run that was killed while writing."""
    for pattern in (f".*{PARTIAL}", f"*/.*{PARTIAL}"):
        for path in out.glob(pattern):
            path.unlink(missing_ok=True)


def write_outputs(result: Grade, folder: Path, visibility: dict[str, dict[str, str]]) -> None:
    """The report, then results.json: its presence means the student is done."""
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / REPORT, text_report(result))
    write_atomically(folder / RESULTS, dumps(gradescope_results(result, visibility)))


# ---------------------------------------------------------------------------------------------
# Grading here: a pool of threads

def _grade_locally(tasks: list[Task], reference: Reference, jobs: int, seconds: float
                   ) -> Iterator[tuple[Task, Grade | BaseException]]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(grade, task.folder, reference, task.seed, seconds, concurrent=jobs > 1): task
                   for task in tasks}
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    error = future.exception()
                    yield task, future.result() if error is None else error
        finally:  # stopped early (Ctrl-C): grade nothing more than what is already running
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# Grading on a Dask cluster: files travel with the task, results come back to the client

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


def grade_packed(packed: Packed, reference: dict[str, bytes], seed: int, seconds: float) -> Grade:
    """A worker's task: grade one packed submission in this machine's sandbox; concurrent, since other
    workers and threads may share the machine."""
    check_sandbox(concurrent=True)  # before anything is written
    with tempfile.TemporaryDirectory(prefix="backprop-submission-") as folder:
        unpack_submission(packed, Path(folder))
        return grade(Path(folder), _worker_reference(reference), seed, seconds, concurrent=True)


def _grade_on_cluster(tasks: list[Task], reference: Reference, scheduler: str, seconds: float
                      ) -> Iterator[tuple[Task, Grade | BaseException]]:
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
        running: dict[Any, Task] = {}
        unreadable: list[tuple[Task, BaseException]] = []
        queue = as_completed()

        def submit_next() -> None:
            for task in pending:
                try:
                    packed = pack_submission(task.folder)
                except OSError as error:  # a file this process may not read: that student's problem only
                    unreadable.append((task, error))
                    continue
                future = client.submit(grade_packed, packed, shared, task.seed, seconds,
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
                yield task, future.result()
            except Exception as error:  # a lost worker, a task the cluster gave up on
                yield task, error
            unreadable.clear()
            submit_next()
            yield from unreadable


# ---------------------------------------------------------------------------------------------

def grade_all(submissions: Path, out: Path, reference: Path = DEFAULT_REFERENCE, jobs: int | None = None,
              scheduler: str | None = None, secret: Path | None = None,
              seconds_per_function: float = SECONDS_PER_FUNCTION,
              progress: Callable[[int, int], Any] | None = None) -> BatchResult:
    """Grade every student in ``submissions`` that has no result in ``out`` yet; rebuild the gradebook.

    ``jobs`` threads grade side by side here (default: one per core), or ``scheduler`` names a Dask
    scheduler to grade on. ``progress(total, already_done)`` returns a progress bar (tqdm's interface:
    ``update``, ``set_postfix_str``, ``close``), or None. Raises GraderError or RubricError, having
    graded nothing, if the reference cannot be used, the scheduler cannot be reached or this machine's
    sandbox is not whole (``check_sandbox``; a Dask worker checks its own).
    """
    jobs = jobs or os.cpu_count() or 1
    _check_folders(submissions, out)
    if not scheduler:
        check_sandbox(concurrent=jobs > 1)
    loaded = load_reference(reference)  # once for the whole batch, checked before anything is graded
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    key = read_secret(secret if secret is not None else out / SECRET_NAME)
    students, refused = find_submissions(submissions, out)
    result = BatchResult(already_done=[s for s in students if is_done(out / s)], refused=refused)
    tasks = [Task(s, folder, student_seed(key, s)) for s, folder in students.items() if s not in result.already_done]
    bar = progress(len(students), len(result.already_done)) if progress else None
    if scheduler:
        graded = _grade_on_cluster(tasks, loaded, scheduler, seconds_per_function)
    else:
        graded = _grade_locally(tasks, loaded, jobs, seconds_per_function)
    try:
        for task, outcome in graded:
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                outcome.submission = task.folder  # graded on a worker: its temporary copy
                write_outputs(outcome, out / task.student, loaded.visibility)
                result.graded.append(task.student)
            except Exception as error:  # the grader's own failure on this submission, or a full disk
                result.failed[task.student] = f"{type(error).__name__}: {error}"
            if bar is not None:
                bar.update(1)
                if result.failed:
                    bar.set_postfix_str(f"{len(result.failed)} failed")
    finally:
        if bar is not None:
            bar.close()
        result.gradebook, result.rows = out / gradebook.GRADEBOOK, gradebook.write_gradebook(out)
    return result


def progress_bar(total: int, done: int) -> Any:
    """A tqdm bar on stderr: count, rate and time left."""
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="submission", desc="grading", file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5)
