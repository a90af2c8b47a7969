"""Grade a folder of submissions, one sub-folder per student, here or on a Dask cluster.

    python -m autograder grade-all SUBMISSIONS_DIR --out DIR [-j N | --scheduler ADDRESS]

What it writes into DIR:

    STUDENT/report.txt      the readable report, as ``python -m autograder grade --for student`` prints it
    STUDENT/report.html     the same report as one web page, with a picture of each wrong tensor
    STUDENT/results.json    the Gradescope-format result; written last: a student is done iff it exists
    gradebook.csv           one row per student, rebuilt from every results.json at the end (``gradebook``),
                            only when every student has a result; else gradebook-incomplete.csv
    .backprop_grading_secret  the secret every student's hidden-case seed is derived from
    .backprop_submissions   the submissions folder's path, for the TA's similarity review (``similarity``)

Every file is written to a temporary name and renamed into place, so a run killed at any moment leaves
whole files or none; the next run deletes the leftovers and grades only the students without a
results.json. A submission's code runs only in the grader's sandboxed children, so a hostile or broken
submission costs its own points; an error of the grader on one submission is reported and leaves that
student to the next run, and the batch carries on.

Stopping: Ctrl-C (SIGINT) or SIGTERM stops the batch at once. Nothing more is started, the sandboxed
children of the grades under way are killed (their grades are thrown away, never written), and
``grade_all`` returns with ``interrupted`` set; the students without a result are graded by the next
run. A run that ends with any student still without a result, stopped or not, leaves no
``gradebook.csv`` (a partial one would pass for the class's grades), only ``gradebook-incomplete.csv``.

Seeds: each student's hidden cases come from an HMAC of ``backprop/STUDENT`` under the secret, so a
rerun gives the same cases, the seed (recorded in results.json and the gradebook) reproduces one
grade with ``python -m autograder grade DIR --seed N``, and nobody without the secret can predict it.
Pointed at nbgrader's secret (``--secret .backprop_grading_secret``), the seeds are those of
``nbgrader autograde``.

The class probe: each student is also graded, in the same pass, on one
seed shared by the whole class; that grade is thrown away, and results.json's ``extra_data["probe"]``
keeps only digests of its uncatalogued wrong answers, for ``similarity.similar_groups``.

Parallelism: ``-j N`` grades in N worker processes (``worker_pool``), each with the reference loaded
once and children forked from its own template (``forks``); ``-j 1`` grades in this process.
On a cluster (``--scheduler``), the client sends each submission's two files and, once, the
reference to the workers, so they need the kit installed but no shared file system; each worker
grades in its own sandbox and sends the Grade back, and the client writes every file (``dask_cluster``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from autograder import DEFAULT_REFERENCE
from autograder.core.files import PARTIAL, write_atomically
from autograder.core.printable import printable
from autograder.grading.grade import Grade, GraderError, check_sandbox, grade
from autograder.grading.mistakes import load_catalogue
from autograder.grading.reference import Reference, load_reference
from autograder.integrations import gradescope
from autograder.integrations.dask_cluster import grade_on_cluster
from autograder.integrations.seeds import SECRET_NAME, read_secret, student_seed, submission_digest
from autograder.integrations.similarity import SUBMISSIONS_NOTE, grade_with_probe, probe_seed, similar_groups
from autograder.integrations.worker_pool import WorkerPool
from autograder.outputs import gradebook
from autograder.outputs.class_report import CLASS_HTML, CLASS_JSON, find_similar, write_class_report
from autograder.outputs.feedback import Audience, build_feedback
from autograder.outputs.html_report import render_html
from autograder.outputs.lms_export import EXPORT_FILES
from autograder.outputs.report import render_text
from autograder.outputs.results_json import dumps, gradescope_results
from autograder.sandbox.runner import SECONDS_PER_FUNCTION

RESULTS = gradebook.RESULTS
REPORT = "report.txt"
HTML_REPORT = "report.html"


@dataclass(frozen=True)
class Task:
    """One student's submission to grade."""

    student: str
    folder: Path
    seed: int
    probe: int | None = None  # the class probe's seed (``similarity``), graded alongside where set


@dataclass
class BatchResult:
    """What one run did."""

    graded: list[str] = field(default_factory=list)  # graded by this run
    already_done: list[str] = field(default_factory=list)  # had a results.json before it started
    failed: dict[str, str] = field(default_factory=dict)  # student -> why no result was written
    refused: dict[str, str] = field(default_factory=dict)  # entry of the submissions folder -> why it is no student
    remaining: list[str] = field(default_factory=list)  # students with no result when it ended
    students: int = 0  # students in the submissions folder
    interrupted: int = 0  # the signal that stopped it (SIGINT, SIGTERM), or 0 if it ran to the end
    gradebook: Path | None = None  # gradebook.csv, or gradebook-incomplete.csv if anyone remains
    rows: int = 0

    @property
    def complete(self) -> bool:
        """Every student has a result: gradebook.csv lists the whole class."""
        return not self.remaining


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so both stop a batch alike."""


@contextmanager
def sigterm_stops() -> Iterator[None]:
    """While the block runs in the main thread, SIGTERM raises ``Terminated`` there."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Names of the files the kit writes beside the students' folders in the output folder: a student of that
# name would have a folder where the kit's file goes (class-report and export could then write neither).
RESERVED = frozenset({gradebook.GRADEBOOK, gradebook.INCOMPLETE, SECRET_NAME, CLASS_JSON, CLASS_HTML, *EXPORT_FILES})


def _refusal(path: Path) -> str:
    """Why an entry of the submissions folder is not graded as a student, or "" if it is one."""
    if path.is_symlink():
        return "it is a symbolic link; put the student's files in a folder of their own"
    if not path.is_dir():
        return "it is a file, not a folder of the student's files"
    if path.name in RESERVED:
        shown = ", ".join(sorted(name for name in RESERVED if not name.startswith(".")))
        return f"its name is that of a file the kit writes in the output folder ({shown}); rename the folder"
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


def write_outputs(result: Grade, folder: Path, visibility: dict[str, dict[str, str]],
                  probe: dict[str, str] | None = None, language: str = "en") -> None:
    """The student's report (as text, then as a web page), then results.json, all in ``language``: its
    presence means the student is done. Rendered here, never on a worker (a Grade has no language). The
    TA's report, every hidden value included, is ``python -m autograder grade FOLDER
    --seed SEED`` (the gradebook has the seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    feedback = build_feedback(result, Audience.STUDENT, language)
    write_atomically(folder / REPORT, render_text(feedback))
    write_atomically(folder / HTML_REPORT, render_html(feedback))
    write_atomically(folder / RESULTS, dumps(gradescope_results(result, visibility, probe=probe, language=language)))


# ---------------------------------------------------------------------------------------------
# Grading here: a pool of threads

STOP_POLL_SECONDS = 0.02


def kill_children() -> int:
    """SIGKILL every process this one started and their descendants (the sandboxed children of the
    grades under way); return how many there were."""
    family = psutil.Process().children(recursive=True)
    for member in family:
        with suppress(psutil.Error):  # already gone
            member.kill()
    return len(family)


def _stop(running: dict[Future[tuple[Grade, dict[str, str]]], Task],
          kill: Callable[[], int] = kill_children, cancel: bool = True) -> None:
    """Cancel the grades not started (``cancel``; a process pool fails them itself once its workers are
    killed), and ``kill`` the children of those under way until each has ended (a grade whose child was
    killed starts the next function's child: that one is killed too). The threads then leave the
    sandbox as they always do, releasing its uids and folders. Another Ctrl-C meanwhile changes
    nothing: this is the fastest way out that leaves nothing running."""
    if cancel:
        for future in running:
            future.cancel()
    while True:
        try:
            while not all(future.done() for future in running):
                kill()
                time.sleep(STOP_POLL_SECONDS)
            kill()
            return
        except KeyboardInterrupt:
            continue


def _grade_locally(tasks: list[Task], reference: Reference, jobs: int, seconds: float,
                   probes: dict[str, dict[str, str]]) -> Iterator[tuple[Task, Grade | BaseException]]:
    """Grade ``tasks`` here: ``jobs`` > 1 in that many worker processes (``worker_pool``), else in one
    thread of this process, which leaves the main thread free to be stopped."""
    def graded(task: Task) -> tuple[Grade, dict[str, str]]:
        if task.probe is None:
            return grade(task.folder, reference, task.seed, seconds), {}
        return grade_with_probe(task.folder, reference, task.seed, task.probe, seconds)

    in_processes = jobs > 1
    pool: WorkerPool | ThreadPoolExecutor = WorkerPool(reference, jobs) if in_processes else ThreadPoolExecutor(1)
    waiting = iter(tasks)
    running: dict[Future[tuple[Grade, dict[str, str]]], Task] = {}

    def submit_next() -> None:
        task = next(waiting, None)
        if task is not None:
            future = (pool.submit(task.folder, task.seed, task.probe, seconds) if isinstance(pool, WorkerPool)
                      else pool.submit(graded, task))
            running[future] = task

    try:
        for _ in range(2 * jobs):  # a few ahead keep every worker busy; the rest wait here, not in the pool
            submit_next()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                submit_next()
                error = future.exception()
                if error is not None:
                    yield task, error
                    continue
                own, digests = future.result()
                if task.probe is not None:
                    probes[task.student] = digests
                yield task, own
    finally:
        if running:  # stopped early (Ctrl-C, SIGTERM): end what is running, start nothing more
            if isinstance(pool, WorkerPool):
                _stop(running, pool.kill, cancel=False)
            else:
                _stop(running)
        pool.shutdown()


# ---------------------------------------------------------------------------------------------

def grade_all(submissions: Path, out: Path, reference: Path = DEFAULT_REFERENCE, jobs: int | None = None,
              scheduler: str | None = None, secret: Path | None = None,
              seconds_per_function: float = SECONDS_PER_FUNCTION,
              progress: Callable[[int, int], Any] | None = None, language: str = "en") -> BatchResult:
    """Grade every student in ``submissions`` that has no result in ``out`` yet; rebuild the gradebook
    (``gradebook.csv`` if every student then has a result, else ``gradebook-incomplete.csv``).

    Every student's report is in ``language`` (``language.checked``), rendered in this process from the Grade
    a worker sends back. ``jobs`` worker processes grade side by side here (default: one per core), or
    ``scheduler`` names a Dask scheduler to grade on. ``progress(total, already_done)`` returns a progress bar
    (tqdm's interface: ``update``, ``set_postfix_str``, ``close``), or None. Raises GraderError or RubricError, having
    graded nothing, if the reference cannot be used, the scheduler cannot be reached or this machine's
    sandbox is not whole (``check_sandbox``; a Dask worker checks its own). Stopped by Ctrl-C or
    ``Terminated`` (``sigterm_stops``) once grading has begun, it kills what is running and returns,
    with ``interrupted`` set to the signal; before, the KeyboardInterrupt propagates, nothing graded.
    """
    jobs = jobs or os.cpu_count() or 1
    _check_folders(submissions, out)
    if not scheduler:
        check_sandbox(concurrent=jobs > 1)
    loaded = load_reference(reference)  # once for the whole batch, checked before anything is graded
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    write_atomically(out / SUBMISSIONS_NOTE, f"{submissions.resolve()}\n")
    key = read_secret(secret if secret is not None else out / SECRET_NAME)
    students, refused = find_submissions(submissions, out)
    result = BatchResult(already_done=[s for s in students if is_done(out / s)], refused=refused)
    result.students = len(students)
    probe = probe_seed(key)
    tasks = [Task(s, folder, student_seed(key, s, submission=submission_digest(folder)), probe)
             for s, folder in students.items() if s not in result.already_done]
    if tasks:  # from now on the class has students a gradebook.csv would not list, even if this run is killed
        gradebook.remove_gradebook(out)
    bar = progress(len(students), len(result.already_done)) if progress else None
    probes: dict[str, dict[str, str]] = {}  # student -> digests of the class probe, filled as they are graded
    if scheduler:
        graded = grade_on_cluster(tasks, loaded, scheduler, seconds_per_function, probes)
    else:
        graded = _grade_locally(tasks, loaded, jobs, seconds_per_function, probes)
    try:
        for task, outcome in graded:
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                outcome.submission = task.folder  # graded on a worker: its temporary copy
                write_outputs(outcome, out / task.student, loaded.visibility, probes.get(task.student), language)
            except Exception as error:  # the grader's own failure on this submission, or a full disk
                result.failed[task.student] = f"{type(error).__name__}: {error}"
            if bar is not None:
                bar.update(1)
                if result.failed:
                    bar.set_postfix_str(f"{len(result.failed)} failed")
    except KeyboardInterrupt as stop:
        result.interrupted = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
    finally:
        with finishing():
            close = getattr(graded, "close", None)
            if close is not None:
                close()  # a stopped local batch kills its children here
            if bar is not None:
                bar.close()
            result.remaining = [s for s in students if not is_done(out / s)]
            # From the disk, not the loop: a stop between a student's results.json and the loop's
            # bookkeeping must not leave a written result uncounted.
            result.graded = [s for s in students if s not in result.already_done and s not in result.remaining]
            result.gradebook, result.rows = gradebook.write_gradebook(out, complete=result.complete)
    return result


def _similar_or_none(graded: Path) -> list[dict[str, Any]]:
    """``similarity.similar_groups``; none (``find_similar``) where its extra (copydetect) is not installed."""
    try:
        return similar_groups(graded)
    except ImportError:
        return find_similar(graded)


def class_report(out: Path, reference: Path = DEFAULT_REFERENCE) -> str:
    """Write ``out/class.json`` and ``out/class.html`` from the results in ``out``, the mistakes explained
    by the catalogue beside ``reference``; return the line that says what was written."""
    if not reference.is_dir():
        raise GraderError(f"the reference {reference} is not a folder")
    for name in (CLASS_JSON, CLASS_HTML):
        if (out / name).is_dir():  # a student's, graded before the name was kept for the class report
            raise GraderError(f"{out / name} is a folder, where the class report writes its file: move it away")
    summary = write_class_report(out, load_catalogue(reference), _similar_or_none)
    whole = "the whole class" if summary["complete"] else "not known to be the whole class"
    return (f"class report: {out / CLASS_HTML} and {CLASS_JSON}: {summary['students']} students ({whole}), "
            f"{len(summary['mistakes'])} known mistakes made")


@contextmanager
def finishing() -> Iterator[None]:
    """Ctrl-C and SIGTERM are held off while the batch ends (bounded: its children are being killed)
    so that the gradebook is written; they are not lost, just not needed: the batch is stopping."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def progress_bar(total: int, done: int) -> Any:
    """A tqdm bar on stderr: count, rate and time left."""
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="submission", desc="grading", file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5)
