"""The gradebook of a batch: one CSV row per student, rebuilt from every ``STUDENT/results.json``.

Columns: ``student``, one per graded function (the points of its checks), ``total`` and ``seed``
(reproduce a row with ``python -m autograder grade FOLDER --seed SEED``). Rows are sorted by student.
A student id is a folder's name, which a student may have chosen: it is written as a
``spreadsheet_cell``, so that no id opens in a spreadsheet as a formula or as hidden characters.
Rebuilding from the results files, never updating rows in place, keeps it right after any interrupted
or resumed run; it is written atomically like everything else.

``gradebook.csv`` exists only when every student of the class has a result: it is the class's grades.
A run that ends with students still to grade (stopped, or the grader failed on some) writes the rows
it has to ``gradebook-incomplete.csv`` instead and removes ``gradebook.csv``, so a partial list is
never mistaken for the class; the run that grades the last student writes ``gradebook.csv`` and
removes the incomplete one.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from autograder.core.files import write_atomically
from autograder.core.printable import spreadsheet_cell
from autograder.core.spec import FUNCTIONS

GRADEBOOK = "gradebook.csv"
INCOMPLETE = "gradebook-incomplete.csv"  # the rows so far, while some student has no result
RESULTS = "results.json"
# "measured": the functions whose backward measures its gradient (for the TA's review; see ``source_reader``).
COLUMNS = ("student", *(function.name for function in FUNCTIONS), "total", "seed", "measured")


def _points(value: float) -> str:
    return f"{value:g}"


def row(student: str, results: dict[str, Any]) -> dict[str, str]:
    """One student's row from their results.json: each test's ``tags[0]`` names its function."""
    points = dict.fromkeys((function.name for function in FUNCTIONS), 0.0)
    for test in results["tests"]:
        points[test["tags"][0]] += float(test["score"])
    return {"student": spreadsheet_cell(student), **{name: _points(value) for name, value in points.items()},
            "total": _points(float(results["score"])), "seed": str(results["extra_data"]["seed"]),
            "measured": " ".join(sorted(results["extra_data"].get("measured_backwards", {})))}


def student_row(folder: Path) -> dict[str, str] | None:
    """The row of the student whose output folder this is, or None if it has no complete results.json
    (none yet, or not one the grader wrote: the next run grades that student again)."""
    try:
        return row(folder.name, json.loads((folder / RESULTS).read_text()))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def read_rows(out: Path) -> list[dict[str, str]]:
    """Every student folder in ``out`` with a complete results.json, by student id."""
    rows = (student_row(path.parent) for path in sorted(out.glob(f"*/{RESULTS}")))
    return [found for found in rows if found is not None]


def read_results(graded: Path) -> dict[str, dict[str, Any]]:
    """Every student of a grade-all folder with a whole results.json (a score, and tests tagged by function
    and check id): student id -> its contents, for the tools that read a graded folder (diff, export)."""
    found = {}
    for path in sorted(graded.glob(f"*/{RESULTS}")):
        try:
            results = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if _whole(results):
            found[path.parent.name] = results
    return found


def _whole(results: Any) -> bool:
    """Whether ``results`` has what a diff reads: a score, and tests tagged (function, check id)."""
    tests = results.get("tests") if isinstance(results, dict) else None
    return isinstance(results, dict) and isinstance(results.get("score"), int | float) and isinstance(tests, list) \
        and all(isinstance(t, dict) and isinstance(t.get("tags"), list) and len(t["tags"]) >= 2
                and {"score", "max_score", "status"} <= t.keys() for t in tests)


def remove_gradebook(out: Path) -> None:
    """Remove ``out/gradebook.csv``: the class is about to have students it does not list."""
    (out / GRADEBOOK).unlink(missing_ok=True)


def write_gradebook(out: Path, complete: bool = True) -> tuple[Path, int]:
    """Write the gradebook from every result in ``out``: ``gradebook.csv`` if ``complete`` (every student
    has a result), else ``gradebook-incomplete.csv``, and remove the other one; return the path written
    and how many students it lists."""
    rows = read_rows(out)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if not complete:  # first, so that no moment has a stale gradebook.csv beside the new rows
        remove_gradebook(out)
    target = out / (GRADEBOOK if complete else INCOMPLETE)
    write_atomically(target, text.getvalue())
    if complete:
        (out / INCOMPLETE).unlink(missing_ok=True)
    return target, len(rows)
