"""The hidden-case seed of each student: an HMAC of their ids under a secret only the staff hold.

The same student gets the same cases on every run, so a TA can reproduce a score with
``python -m autograder grade ... --seed N``; without the secret nobody can predict them. grade-all
keeps its secret in the output folder, nbgrader beside the course's gradebook.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from autograder.core.files import write_atomically

ASSIGNMENT = "backprop"
SECRET_NAME = ".backprop_grading_secret"


def student_seed(secret: bytes, student: str, assignment: str = ASSIGNMENT) -> int:
    """The hidden-case seed of one student: an HMAC of the assignment and the student's id."""
    # surrogateescape: a folder name that is not UTF-8 still has bytes to hash (os.fsencode's rule).
    digest = hmac.new(secret, f"{assignment}/{student}".encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
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


def course_seed(secret_file: Path, assignment: str, student: str) -> int:
    """The seed nbgrader's autograde uses for one student's assignment (``secret_file`` made if missing)."""
    return student_seed(read_secret(secret_file), student, assignment)


def nbgrader_seed(course_root: Path, student: str, assignment: str = ASSIGNMENT) -> int:
    """The seed of ``student`` in the nbgrader course at ``course_root`` (read from its nbgrader_config.py)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config_file = course_root / "nbgrader_config.py"
    config = PyFileConfigLoader(config_file.name, str(course_root)).load_config() if config_file.is_file() else None
    coursedir = CourseDirectory(config=config)
    if config is None or "root" not in config.get("CourseDirectory", {}):
        coursedir.root = str(course_root.resolve())  # nbgrader's default is the folder it runs in
    return course_seed(secret_path(coursedir.db_url, Path(coursedir.root)), assignment, student)
