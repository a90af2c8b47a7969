"""One student through ``nbgrader autograde``, against a private copy of the gradebook: the job that
``parallel`` runs N at a time, here or on Dask workers.

The job is nbgrader's own command, run in this process: ``AutogradeApp`` initialised from the course
folder as ``nbgrader autograde ASSIGNMENT --student STUDENT`` is (the same configuration files, the
same preprocessors, confined kernels and all), with three settings changed:

- ``CourseDirectory.db_url``: a copy of the course's gradebook in a private temporary folder of this
  machine. nbgrader commits after every cell, so N autogrades writing one SQLite file would wait on
  its lock (and fail after 5 s); each writes its own, and the parent, the only writer of the course's
  gradebook, copies over what this one wrote (``autograde_rows``);
- ``CourseDirectory.autograded_directory``: a staging folder of this job, which the parent renames
  into ``autograded/`` once the gradebook holds the grades: a run killed at any moment leaves either
  a student's whole autograded folder with its grades, or neither;
- the kit's layer graders' ``secret_file``: the course's secret, which would otherwise be looked for
  beside the copied gradebook.

Only this student's files are read or written, so one student can move no other's score.
"""

from __future__ import annotations

import contextlib
import glob
import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.integrations.nbgrader.autograde_rows import Rows, read_rows

GRADEBOOK = "gradebook.db"


@dataclass(frozen=True)
class Job:
    """One student to autograde; every path is absolute and, on a cluster, the same on every worker."""

    course: str  # the course folder (nbgrader_config.py, submitted/, source/)
    assignment: str
    student: str
    staging: str  # the job's own autograded_directory
    secret: str  # the course's secret file


@dataclass
class Outcome:
    """What one job did: its rows for the gradebook, nbgrader's log, and why it failed ("" if it did not)."""

    student: str
    rows: Rows | None = None
    log: str = ""
    failure: str = ""


def nbgrader_arguments(job: Job, db_url: str) -> list[str]:
    """The command line of ``nbgrader autograde`` for this job (after ``autograde``)."""
    # --student is a glob pattern to nbgrader: a student id with * or [ in it must match only itself.
    return [job.assignment, f"--CourseDirectory.student_id={glob.escape(job.student)}",
            f"--CourseDirectory.db_url={db_url}", f"--CourseDirectory.autograded_directory={job.staging}",
            f"--GradeLayersFirst.secret_file={job.secret}", f"--TrustedLayerGrades.secret_file={job.secret}"]


def _failure(records: list[logging.LogRecord]) -> str:
    """nbgrader's reason in one line: the last line of the traceback it logged, else its first error."""
    errors = [record.getMessage() for record in records if record.levelno >= logging.ERROR]
    for message in errors:
        if message.startswith("Traceback"):
            return message.strip().splitlines()[-1]
    return errors[0] if errors else "nbgrader autograde stopped without saying why"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def run_job(job: Job, gradebook: bytes) -> Outcome:
    """Autograde ``job.student`` with nbgrader against a private copy of ``gradebook`` (the course's,
    as ``autograde_rows.snapshot`` took it); what the gradebook got comes back in the Outcome."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    outcome = Outcome(job.student)
    with tempfile.TemporaryDirectory(prefix="backprop-autograde-") as private, contextlib.chdir(job.course):
        db = Path(private) / GRADEBOOK  # the folder is 0o700: no kernel (another uid) can reach it
        db.write_bytes(gradebook)
        db_url = f"sqlite:///{db}"
        app = AutogradeApp()
        collect, text = _Collect(), io.StringIO()
        stream = logging.StreamHandler(text)
        stream.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        stream.setLevel(logging.INFO)  # what nbgrader autograde shows, wherever the worker's logging is set
        try:
            app.initialize(nbgrader_arguments(job, db_url))
            # N jobs share one terminal: each keeps its log, which the parent shows where it matters.
            previous, app.log.handlers = app.log.handlers, [collect, stream]
            try:
                app.start()
            except SystemExit as stop:  # nbgrader's way out of a failed autograde
                if stop.code not in (0, None):
                    outcome.failure = _failure(collect.records)
            finally:
                app.log.handlers = previous
        except Exception as error:  # nbgrader itself broke on this student: their problem only
            outcome.failure = f"{type(error).__name__}: {error}"
        outcome.log = text.getvalue()
        outcome.rows = read_rows(db_url, job.assignment, job.student)
    return outcome
