"""What ``nbgrader autograde`` writes to the gradebook for one student, read from one gradebook and
written into another: how a parallel autograde leaves the course's gradebook as a sequential one would.

Read from nbgrader 0.9.6's source, autograding one student writes, for that student only:

- ``Autograde.init_assignment``: the student (``update_or_create_student``, no fields) and the
  submission (``update_or_create_submission``, with the submitted ``timestamp.txt`` if there is one),
  which creates a grade and a comment row per cell; a notebook not submitted gets ``auto_score = 0`` and
  ``needs_manual_grade = False`` on every grade;
- ``SaveAutoGrades``, per notebook: each grade's ``auto_score`` and ``needs_manual_grade``, each
  solution or task cell's ``auto_comment``;
- ``AssignLatePenalties``, per notebook: ``late_submission_penalty``.

Nothing else: a TA's manual scores, comments and extra credit are read, never written. So these fields
(``FIELDS``) are all a job has to bring back (``read_rows``) and all the single writer puts into the
course's gradebook (``write_rows``), in one transaction. Rows are matched by notebook and cell name,
never by their ids (random for every new row, in every run).
"""

from __future__ import annotations

import sqlite3
import warnings
from datetime import datetime
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

FIELDS = {
    "notebook": ("late_submission_penalty",),
    "grade": ("auto_score", "needs_manual_grade"),
    "comment": ("auto_comment",),
}

Rows = dict[str, Any]  # {"timestamp": datetime | None, "notebooks": {name: {"late_submission_penalty", "grades",
                       #  "comments"}}}, each grade or comment {cell name: {field: value}}


def snapshot(db_path: str) -> bytes:
    """The SQLite gradebook at ``db_path`` as one consistent database file, taken with SQLite's backup
    (safe while another process writes: copying the file itself could catch half a transaction)."""
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    copy = sqlite3.connect(":memory:")
    try:
        source.backup(copy)
        return copy.serialize()
    finally:
        source.close()
        copy.close()


def read_rows(db_url: str, assignment: str, student: str) -> Rows | None:
    """What autograde wrote for ``student``'s ``assignment`` in the gradebook at ``db_url``; None if it
    holds no submission of theirs (autograde stopped before making one)."""
    with Gradebook(db_url) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return None
        notebooks = {}
        for notebook in submission.notebooks:
            notebooks[notebook.name] = {
                **{name: getattr(notebook, name) for name in FIELDS["notebook"]},
                "grades": {grade.name: {name: getattr(grade, name) for name in FIELDS["grade"]}
                           for grade in notebook.grades},
                "comments": {comment.name: {name: getattr(comment, name) for name in FIELDS["comment"]}
                             for comment in notebook.comments},
            }
        return {"timestamp": submission.timestamp, "notebooks": notebooks}


def write_rows(db_url: str, assignment: str, student: str, rows: Rows) -> None:
    """Put ``rows`` (``read_rows`` of a job's gradebook) into the gradebook at ``db_url``, the way
    autograde would have: student and submission made as it makes them, then every score in one commit."""
    timestamp: datetime | None = rows["timestamp"]
    with Gradebook(db_url) as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission warns of its own autoflush while it builds the rows; they are whole.
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(
            assignment, student, **({"timestamp": timestamp} if timestamp is not None else {}))
        for notebook in submission.notebooks:
            written = rows["notebooks"][notebook.name]  # KeyError: the assignment changed during the run
            for name in FIELDS["notebook"]:
                setattr(notebook, name, written[name])
            for kind, cells in (("grade", notebook.grades), ("comment", notebook.comments)):
                for cell in cells:
                    for name, value in written[f"{kind}s"][cell.name].items():
                        setattr(cell, name, value)
        gradebook.db.commit()
