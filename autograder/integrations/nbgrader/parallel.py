"""``nbgrader autograde`` for a whole class, N students at a time, here or on a Dask cluster.

    python -m autograder nbgrader-autograde ASSIGNMENT [--course DIR] [-j N | --scheduler ADDRESS] [--force]

nbgrader autogrades one student after another, and its SQLite gradebook takes one writer at a time.
Here each student is a job (``autograde_job``): nbgrader's own autograde of that student alone,
writing a private copy of the gradebook and a staging folder. This process is the only writer of the
course: as each job ends it copies what the job's gradebook got into the course's gradebook, in one
transaction (``autograde_rows``), and only then renames the student's autograded folder into place.

Which students, and when one is done, are nbgrader's rules: every ``submitted/STUDENT/ASSIGNMENT`` with
a notebook, less ``student_id_exclude``; a student is done when ``autograded/STUDENT/ASSIGNMENT`` exists
and the submission is not newer than it (``timestamp.txt``), so a rerun grades only the rest, and
``nbgrader autograde`` agrees with it. A run killed at any moment leaves each student either done (grades
committed, folder in place) or not started (at worst, grades committed and no folder: graded again
next time, to the same scores, the seeds being the course's).

A student whose autograde fails (a notebook that is not JSON, a kernel that could not start) costs that
student only: their failure is reported with nbgrader's reason and log, the gradebook gets what
nbgrader's own run would have left, their autograded folder is removed as nbgrader removes it, and the
next run tries them again. Every protection of the course configuration stays: kernels are confined
(the run refuses to start where they cannot be), unsafe submitted files are quarantined first.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import glob
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from autograder.core.orphans import end_with_parent
from autograder.core.printable import printable
from autograder.grading.grade import GraderError, check_sandbox
from autograder.integrations.batch import Terminated, finishing, kill_children
from autograder.integrations.nbgrader.autograde_job import Job, Outcome, run_job
from autograder.integrations.nbgrader.autograde_rows import snapshot, write_rows
from autograder.integrations.nbgrader.submitted import quarantine
from autograder.integrations.seeds import read_secret, secret_path
from autograder.sandbox.kernels import UnconfinedError, refuse_unless_confinable

STAGING = ".nbgrader-parallel"  # in the course folder: the lock, and each run's staging folders
STOP_SECONDS = 20  # how long stopped jobs may take to close their kernels before they are killed
_stopping = threading.Event()  # in a local worker: SIGTERM came


@dataclass
class ClassResult:
    """What one run did."""

    autograded: list[str] = field(default_factory=list)  # done by this run
    already_done: list[str] = field(default_factory=list)  # done before it started
    failed: dict[str, str] = field(default_factory=dict)  # student -> nbgrader's reason
    logs: dict[str, str] = field(default_factory=dict)  # failed student -> nbgrader's log of them
    quarantined: list[str] = field(default_factory=list)  # what ``submitted.quarantine`` moved aside
    students: int = 0
    remaining: list[str] = field(default_factory=list)  # not done when it ended
    interrupted: int = 0  # the signal that stopped it, or 0


# ---------------------------------------------------------------------------------------------
# The course, as nbgrader sees it


def load_course(course: Path, assignment: str) -> Any:
    """nbgrader's ``AutogradeApp`` initialised in ``course`` as ``nbgrader autograde ASSIGNMENT`` is there:
    its ``coursedir`` and ``config`` are what the course's configuration files say."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    with contextlib.chdir(course):
        app.initialize([assignment])
    return app


def submitted_students(coursedir: Any, assignment: str) -> list[str]:
    """The students nbgrader's ``autograde ASSIGNMENT`` would grade: a submitted folder with a notebook
    matching ``notebook_id``, not in ``student_id_exclude``; found and named as nbgrader does."""
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.*)", re.escape(assignment),
                                   escape=True)
    excluded = set(coursedir.student_id_exclude.split(",")) if coursedir.student_id_exclude else set()
    students = []
    for folder in sorted(glob.glob(pattern)):
        match = re.match(regexp, folder)
        notebooks = glob.glob(os.path.join(glob.escape(folder), f"{coursedir.notebook_id}.ipynb"))
        if match and notebooks and match["student_id"] not in excluded:
            students.append(match["student_id"])
    return students


def is_done(coursedir: Any, assignment: str, student: str) -> bool:
    """nbgrader's rule (``init_destination`` without ``--force``): autograded, and not submitted again since."""
    autograded = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    if not os.path.isdir(autograded):
        return False
    try:
        submitted = coursedir.get_existing_timestamp(coursedir.format_path(coursedir.submitted_directory, student,
                                                                          assignment))
        graded = coursedir.get_existing_timestamp(autograded)
    except Exception:  # a timestamp.txt nbgrader cannot read (a student can write their own)
        # The CourseDirectory raises AttributeError for one it cannot parse: the student is autograded again,
        # where nbgrader fails that student alone, as it does one student after another.
        return False
    return not (submitted is not None and graded is not None and submitted > graded)


def _sqlite_path(coursedir: Any, assignment: str) -> str:
    """The course's gradebook file; GraderError unless it is SQLite and holds the assignment."""
    from nbgrader.api import Gradebook, MissingEntry

    prefix = "sqlite:///"
    if not coursedir.db_url.startswith(prefix):
        raise GraderError(f"the gradebook {coursedir.db_url} is not an SQLite file; run nbgrader autograde instead")
    path = coursedir.db_url[len(prefix):]
    if not os.path.isfile(path):
        raise GraderError(f"no gradebook at {path}: run nbgrader generate_assignment {assignment} first")
    with Gradebook(coursedir.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise GraderError(f"the gradebook has no assignment {assignment}: run nbgrader generate_assignment "
                              f"{assignment} first") from None
    return path


def _course_secret(app: Any) -> str:
    """The secret the kit's layer graders derive seeds from, made now if missing: made by N jobs at once,
    each would make its own."""
    from autograder.integrations.nbgrader.layer_cells import GradeLayersFirst

    configured = GradeLayersFirst(config=app.config).secret_file
    path = Path(configured) if configured else secret_path(app.coursedir.db_url, Path(app.coursedir.root))
    read_secret(path)
    return str(path.resolve())


@contextlib.contextmanager
def _only_run(course: Path) -> Iterator[Path]:
    """The staging folder of this run, while no other run works in this course (an exclusive lock)."""
    top = course / STAGING
    top.mkdir(mode=0o700, exist_ok=True)
    with open(top / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GraderError(f"another nbgrader-autograde is running in {course}; wait for it to end") from None
        for left in top.glob("run-*"):  # a killed run's staging folders
            shutil.rmtree(left, ignore_errors=True)
        run = top / f"run-{secrets.token_hex(4)}"
        run.mkdir(mode=0o700)
        try:
            yield run
        finally:
            shutil.rmtree(run, ignore_errors=True)


def _replace_folder(new: Path, target: Path, spare: Path) -> None:
    """Put the folder ``new`` at ``target``, over any folder there, by renames (whole or not at all)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = spare / f"replaced-{secrets.token_hex(4)}"
    if target.exists():
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:  # staging on another file system than autograded/: copied, not renamed
        shutil.move(new, target)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Running the jobs: processes here, or a Dask cluster


def _worker_signals(parent: int) -> None:
    """In a local worker: Ctrl-C is the parent's to handle; SIGTERM (from the parent, or sent by Linux when
    the parent dies, even by SIGKILL) stops the job under way as Ctrl-C stops nbgrader, so its kernels are
    shut down and their folders removed, and no orphan goes on grading (``orphans``: one whose parent
    was already gone leaves at once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: object) -> None:
        _stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    end_with_parent(parent, signal.SIGTERM)


def _job_in_worker(job: Job, gradebook: bytes) -> Outcome:
    """``run_job`` in a local worker, which leaves once its job was stopped and has cleaned up (kernels
    shut down, folders removed): the pool would keep it waiting for work, even with its parent gone."""
    try:
        return run_job(job, gradebook)
    finally:
        if _stopping.is_set():
            # The exit handlers first: a kernel's cage (its uid, its tmpfs) is closed by one when the job
            # was stopped before nbclient could shut the kernel down.
            atexit._run_exitfuncs()
            os._exit(128 + signal.SIGTERM)


def _stop_workers() -> None:
    """SIGTERM to the workers (this process's children), time to close their kernels, then SIGKILL to
    whatever is left of them and below them."""
    workers = psutil.Process().children()
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            worker.terminate()
    psutil.wait_procs(workers, timeout=STOP_SECONDS)
    kill_children()


def run_here(jobs: list[Job], gradebook: bytes, workers: int) -> Iterator[tuple[Job, Outcome | BaseException]]:
    """Run ``jobs`` in ``workers`` processes of their own (nbgrader imported once per process, not per
    student), yielding each with its Outcome as it ends."""
    # spawn: a fresh interpreter, none of this process's threads, locks or open gradebook.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_signals,
                             initargs=(os.getpid(),)) as pool:
        running: dict[Future[Outcome], Job] = {pool.submit(_job_in_worker, job, gradebook): job for job in jobs}
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    error = future.exception()
                    yield job, future.result() if error is None else error
        finally:
            if running:  # stopped early: start nothing more, end what runs
                for future in running:
                    future.cancel()
                with finishing():  # another Ctrl-C meanwhile would leave kernels running
                    _stop_workers()


def run_on_cluster(jobs: list[Job], gradebook: bytes,
                   scheduler: str) -> Iterator[tuple[Job, Outcome | BaseException]]:
    """Run ``jobs`` on the Dask scheduler at ``scheduler``; the gradebook's copy is sent once per worker."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError("--scheduler needs Dask: pip install 'backprop-kit[cluster]'") from None
    try:
        client = Client(scheduler)
    except OSError as error:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        [shared] = client.scatter([gradebook], broadcast=True)
        token = secrets.token_hex(4)
        running = {client.submit(run_job, job, shared, key=f"autograde-{token}-{n}", pure=False): job
                   for n, job in enumerate(jobs)}
        try:
            for future in as_completed(running):
                job = running.pop(future)
                try:
                    yield job, future.result()
                except Exception as error:  # a lost worker, a task the cluster gave up on
                    yield job, error
        finally:
            client.cancel(list(running))


# ---------------------------------------------------------------------------------------------


def _record(outcome: Outcome | BaseException, job: Job, app: Any, db_url: str, run: Path) -> str:
    """As the only writer: the job's rows into the gradebook, then its folder into autograded/. Returns
    the failure ("" if none)."""
    coursedir = app.coursedir
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {outcome}"
    if outcome.rows is not None:
        write_rows(db_url, job.assignment, job.student, outcome.rows)
    target = Path(coursedir.format_path(coursedir.autograded_directory, job.student, job.assignment))
    staged = Path(coursedir.format_path(job.staging, job.student, job.assignment))
    if outcome.failure or not staged.is_dir():
        shutil.rmtree(target, ignore_errors=True)  # as nbgrader removes a failed student's folder
        return outcome.failure or "nbgrader autograde wrote no autograded folder"
    _replace_folder(staged, target, run)
    return ""


def autograde_class(course: Path, assignment: str, jobs: int | None = None, scheduler: str | None = None,
                    force: bool = False, progress: Callable[[int, int], Any] | None = None) -> ClassResult:
    """Autograde every submitted student of ``assignment`` in the nbgrader course at ``course`` not done yet
    (all of them with ``force``), ``jobs`` at a time here (default: one per core) or on ``scheduler``.

    ``progress(total, already_done)`` returns a tqdm-like bar, or None. Raises GraderError, having graded
    nothing, where kernels cannot be confined, the gradebook is missing or another run holds the course.
    Stopped by Ctrl-C or ``batch.Terminated`` once grading began, it ends the jobs under way (their
    students stay not done) and returns with ``interrupted`` set.
    """
    jobs = jobs or os.cpu_count() or 1
    course = course.resolve()
    app = load_course(course, assignment)
    coursedir = app.coursedir
    if not scheduler:  # on a cluster each worker's kernels refuse to start unconfined
        try:
            refuse_unless_confinable()
        except UnconfinedError as error:
            raise GraderError(str(error)) from None
        check_sandbox(concurrent=jobs > 1)
    db_path = _sqlite_path(coursedir, assignment)
    result = ClassResult()
    with _only_run(course) as run:
        result.quarantined = quarantine(course, coursedir.submitted_directory, coursedir.release_directory)
        secret = _course_secret(app)
        students = submitted_students(coursedir, assignment)
        result.students = len(students)
        result.already_done = [] if force else [s for s in students if is_done(coursedir, assignment, s)]
        todo = [Job(str(course), assignment, s, str(run / f"job-{n}"), secret)
                for n, s in enumerate(students) if s not in result.already_done]
        bar = progress(len(students), len(result.already_done)) if progress else None
        image = snapshot(db_path)  # the students' rows as they are now: a job reads only its own student's
        outcomes = run_on_cluster(todo, image, scheduler) if scheduler else run_here(todo, image, jobs)
        try:
            for job, outcome in outcomes:
                with finishing():  # a signal now would leave the grades written and the folder not moved
                    try:
                        failure = _record(outcome, job, app, coursedir.db_url, run)
                    except Exception as error:  # a gradebook another program holds locked, a full disk
                        failure = f"its results could not be written: {type(error).__name__}: {error}"
                if failure:
                    result.failed[job.student] = failure
                    result.logs[job.student] = outcome.log if isinstance(outcome, Outcome) else ""
                else:
                    result.autograded.append(job.student)
                if bar is not None:
                    bar.update(1)
                    if result.failed:
                        bar.set_postfix_str(f"{len(result.failed)} failed")
        except KeyboardInterrupt as stop:
            result.interrupted = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
        finally:
            with finishing():
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()  # a stopped run ends its jobs here
                if bar is not None:
                    bar.close()
    result.remaining = [s for s in students if not is_done(coursedir, assignment, s)]
    return result


def summary(result: ClassResult, command: str) -> list[str]:
    """What the command prints at the end: the counts, each failure with its reason, how to finish."""
    lines = [f"moved aside before grading: {moved}" for moved in result.quarantined]
    if result.interrupted:
        name = "Ctrl-C (SIGINT)" if result.interrupted == signal.SIGINT else signal.Signals(result.interrupted).name
        lines.append(f"stopped by {name}: autograded {len(result.autograded)} in this run, "
                     f"{result.students - len(result.remaining)} of {result.students} students in all, "
                     f"{len(result.remaining)} remaining")
    else:
        lines.append(f"autograded {len(result.autograded)}, already done {len(result.already_done)}, failed "
                     f"{len(result.failed)} (of {result.students} students)")
    lines += [printable(f"  not autograded: {student}: {why} (nbgrader's log of them is above)", multiline=False)
              for student, why in sorted(result.failed.items())]
    if set(result.remaining) - set(result.failed):
        lines.append(f"to finish, run: {command}")
    elif result.failed:
        lines.append(f"to try them again (after a fix), run: {command}")
    return lines
