"""``export GRADED_DIR --format canvas|moodle --roster ROSTER.csv``: the class's totals as a file the
course's gradebook imports.

The kit knows a student by the name of their folder; the LMS by its own ids. The roster, a CSV the
course supplies, maps one to the other: a header row, then one row per student. Its columns (any
order, names as below, others ignored):

    student        the kit's id: the student's folder name under SUBMISSIONS_DIR and GRADED_DIR (required)
    name           Canvas: the student's name as Canvas shows it                    (the Student column)
    canvas_id      Canvas: the user's Canvas id                                     (ID)
    sis_user_id    Canvas: the SIS user id                                          (SIS User ID)
    sis_login_id   Canvas: the SIS login id                                         (SIS Login ID)
    section        Canvas: the section's name                                       (Section)
    email | idnumber | username   Moodle: the field Moodle identifies the user by   (Email address, ...)

Canvas (``--format canvas``): ``Student,ID,SIS User ID,SIS Login ID,Section,NAME (ASSIGNMENT_ID)``.
Canvas's importer (canvas-lms ``lib/gradebook_importer.rb``, ``row_has_student_headers?``,
``update_column_count``, ``process_student``) requires the first header to contain ``Student`` and the
second ``ID``; ``SIS User ID`` and ``SIS Login ID`` are read when they come third and fourth; the
last of these identity columns must be ``Section``; every column after them is an assignment.
It finds the student by ``ID`` (the Canvas user id), else by SIS user id, else SIS login id, else by
name. An assignment column titled ``Backprop (12345)`` is the assignment with id 12345
(``Assignment.title_and_id``); a title without an id matches an assignment by title or makes a new one.
Canvas's guide "How do I import grades in the Gradebook?" and course guides built on it (e.g. Ohio
State's "Import CSV File for Carmen Grades") give the same five columns, in this order.

Moodle (``--format moodle``): ``IDENTIFIER,NAME``, e.g. ``Email address,Backprop``. Moodle's CSV grade
import (``grade/import/csv``, ``gradeimport_csv_load_data::map_user_data_with_value``) has no fixed
columns: at import the teacher maps one column ("Map from") to a user field ("Map to": ``userid``,
``useridnumber``, ``useremail`` or ``username``) and each other column to a grade item, a new grade item
or a feedback column (MoodleDocs, "Grade import"). The identifier column is headed as Moodle's own
export heads that field (``Email address``, ``ID number``, ``Username``), so "Map from" finds it; the
grade column is the assignment's name, to map to its grade item. No feedback column: MoodleDocs warns
that importing feedback overwrites the grades linked to it.

The grade is each student's total (results.json ``score``). A graded student missing from the roster,
a roster row with no grade in GRADED_DIR and a roster row without the identifier the format needs are
each named in one message and cost only their own row. Every text cell is a ``spreadsheet_cell``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.printable import printable, spreadsheet_cell
from autograder.outputs.gradebook import read_results

FORMATS = ("canvas", "moodle")
EXPORT_FILES = tuple(f"{name}.csv" for name in FORMATS)  # where export writes in the graded folder, by default
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_FIELDS = ("name", "canvas_id", "sis_user_id", "sis_login_id", "section")  # the roster's, in that order
# The Moodle user field each roster column names, headed as Moodle's own grade export heads it.
MOODLE_IDENTIFIERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}


class RosterError(ValueError):
    """The roster cannot be used at all (no such file, no ``student`` column, no identifier column)."""


@dataclass
class Export:
    """The file's text, how many students it lists, and one message per row left out."""

    text: str
    rows: int
    messages: list[str] = field(default_factory=list)


def read_roster(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The roster's rows (column names lower-cased, values stripped) and its column names."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    if "student" not in columns:
        raise RosterError(f"the roster {path} has no 'student' column (the kit's student id, the folder's name)")
    rows = [{name.strip().lower(): (value or "").strip() for name, value in row.items() if name is not None}
            for row in reader]
    return rows, columns


def _score(value: float) -> str:
    return f"{value:g}"


def _header(assignment: str, assignment_id: str | None) -> str:
    return spreadsheet_cell(f"{assignment} ({assignment_id})" if assignment_id else assignment)


def export_grades(graded: Path, roster: Path, fmt: str, assignment: str = "Backprop",
                  assignment_id: str | None = None, identifier: str | None = None) -> Export:
    """The import file of ``fmt`` for every student of ``graded`` the roster maps; ``identifier`` (Moodle
    only): the roster column Moodle matches users by (default: the first of email, idnumber, username
    the roster has)."""
    rows, columns = read_roster(roster)
    if fmt == "canvas":
        if not set(CANVAS_FIELDS[:4]) & set(columns):
            raise RosterError(f"the roster {roster} has none of the columns Canvas finds a student by: "
                              f"{', '.join(CANVAS_FIELDS[:4])}")
        header = [*CANVAS_COLUMNS, _header(assignment, assignment_id)]
        needed: tuple[str, ...] = CANVAS_FIELDS[:4]
        label = "Canvas name or id (name, canvas_id, sis_user_id, sis_login_id)"
    else:
        identifier = identifier or next((name for name in MOODLE_IDENTIFIERS if name in columns), None)
        if identifier not in MOODLE_IDENTIFIERS or identifier not in columns:
            raise RosterError(f"the roster {roster} has no column Moodle identifies users by "
                              f"({', '.join(MOODLE_IDENTIFIERS)})" + (f", or no {identifier!r}" if identifier else ""))
        header = [MOODLE_IDENTIFIERS[identifier], _header(assignment, None)]
        needed, label = (identifier,), f"Moodle {identifier}"

    results = read_results(graded)
    messages, lines, seen = [], [], set()
    for row in rows:
        student = row.get("student", "")
        shown = printable(student, multiline=False)
        if not student:
            continue
        if student in seen:
            messages.append(f"listed twice in the roster: {shown} (the first row is used)")
            continue
        seen.add(student)
        if student not in results:
            messages.append(f"no grade: {shown} is in the roster but has no result in {graded} (no row written)")
        elif not any(row.get(name) for name in needed):
            messages.append(f"no {label} for {shown} in the roster (no row written)")
        else:
            cells = [row.get(name, "") for name in (CANVAS_FIELDS if fmt == "canvas" else needed)]
            lines.append([*(spreadsheet_cell(cell) for cell in cells), _score(float(results[student]["score"]))])
    messages += [f"not in the roster: {printable(student, multiline=False)} was graded but has no roster row "
                 f"(no row written)" for student in sorted(results.keys() - seen)]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return Export(text.getvalue(), len(lines), messages)
