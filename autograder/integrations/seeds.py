"""The hidden-case seed of each submission: an HMAC of the student's id and the submission's content
under a secret only the staff hold.

The same submission gets the same cases on every run, so a TA can reproduce a score with
``python -m autograder grade ... --seed N``; without the secret nobody can predict them. grade-all
keeps its secret in the output folder, nbgrader beside the course's gradebook.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from autograder.core.files import write_atomically
from autograder.core.spec import MODULE_FILES
from autograder.sandbox.scratch import SubmissionError, read_source

ASSIGNMENT = "backprop"
SECRET_NAME = ".backprop_grading_secret"


def submission_digest(folder: Path) -> str:
    """What the grader would read of ``folder``'s student modules, as the grader reads them (regular files
    only, no symlinks), hashed: the same files give the same digest, any change another."""
    hashed = hashlib.sha256()
    for name in MODULE_FILES:
        try:
            content = read_source(folder / name)
        except SubmissionError as error:
            content = f"<{error}>".encode()
        hashed.update(name.encode() + b"\0" + content + b"\0")
    return hashed.hexdigest()


def student_seed(secret: bytes, student: str, assignment: str = ASSIGNMENT, submission: str = "") -> int:
    """The hidden-case seed of one student's submission: an HMAC of the assignment, the student's id and
    the submission's digest (``submission_digest``).

    With the digest, each new submission meets new hidden cases: whatever one submission's feedback
    lets its code spell out (which cases fail, counts, pictures: its own choices), it is of cases the
    next submission never meets, so nothing learnt there can be written into it. The same files meet
    the same cases, so a regrade reproduces every verdict.
    """
    # surrogateescape: a folder name that is not UTF-8 still has bytes to hash (os.fsencode's rule).
    message = f"{assignment}/{student}" + (f"/{submission}" if submission else "")
    digest = hmac.new(secret, message.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


def read_secret(path: Path) -> bytes:
    """The secret in ``path``, created (readable by its owner only) the first time it is needed."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, secrets.token_hex(32) + "\n", mode=0o600)
    return path.read_text().strip().encode()


def secret_path(db_url: str, course_root: Path) -> Path:
    """Where an nbgrader course's secret lives: beside an SQLite gradebook, else in the course root."""
    prefix = "sqlite:///"
    folder = Path(db_url[len(prefix):]).parent if db_url.startswith(prefix) else Path(course_root)
    return folder / SECRET_NAME


def course_seed(secret_file: Path, assignment: str, student: str, submitted: Path) -> int:
    """The seed nbgrader's autograde uses for one student's assignment as submitted in the folder
    ``submitted`` (``secret_file`` made if missing)."""
    return student_seed(read_secret(secret_file), student, assignment, submission_digest(submitted))


def nbgrader_seed(course_root: Path, student: str, assignment: str = ASSIGNMENT) -> int:
    """The seed of ``student``'s submission in the nbgrader course at ``course_root`` (read from its
    nbgrader_config.py); FileNotFoundError if the student has submitted nothing: there is no seed yet."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config_file = course_root / "nbgrader_config.py"
    config = PyFileConfigLoader(config_file.name, str(course_root)).load_config() if config_file.is_file() else None
    coursedir = CourseDirectory(config=config)
    if config is None or "root" not in config.get("CourseDirectory", {}):
        coursedir.root = str(course_root.resolve())  # nbgrader's default is the folder it runs in
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    if not submitted.is_dir():
        raise FileNotFoundError(f"{student} has no submission of {assignment} in {submitted}: a seed is drawn from "
                                f"the submitted files")
    return course_seed(secret_path(coursedir.db_url, Path(coursedir.root)), assignment, student, submitted)
