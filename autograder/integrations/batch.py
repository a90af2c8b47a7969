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
grades in its own sandbox and sends the Grade back, and the client writes every file (``dask_cluster``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import DEFAULT_REFERENCE
from autograder.core.files import PARTIAL, write_atomically
from autograder.core.printable import printable
from autograder.grading.grade import Grade, GraderError, check_sandbox, grade
from autograder.grading.reference import Reference, load_reference
from autograder.integrations import gradescope
from autograder.integrations.dask_cluster import grade_on_cluster
from autograder.integrations.seeds import SECRET_NAME, read_secret, student_seed
from autograder.outputs import gradebook
from autograder.outputs.report import text_report
from autograder.outputs.results_json import dumps, gradescope_results
from autograder.sandbox.runner import SECONDS_PER_FUNCTION

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
        graded = grade_on_cluster(tasks, loaded, scheduler, seconds_per_function)
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
