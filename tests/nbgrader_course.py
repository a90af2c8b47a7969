"""A throwaway copy of the nbgrader course for end-to-end tests: release it, write students, grade them.

Real nbgrader, real Jupyter kernels (confined, as the course configuration runs them), in a temporary
folder; the tests read the gradebook, the feedback and ``python -m autograder grade`` of the same files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.integrations.nbgrader.layer_cells import LAYER_CELLS
from autograder.integrations.seeds import course_seed, secret_path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "backprop"
NOTEBOOKS = sorted(path.name for path in (ROOT / "solutions" / ASSIGNMENT).glob("*.ipynb"))
MODULES = ("layers.py", "rnn_layers.py")


def nbgrader(course: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one nbgrader command in the course folder, with this interpreter's scripts on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          env={**os.environ, "PATH": path, **(env or {})}, capture_output=True, text=True,
                          timeout=1800)


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def new_course(folder: Path) -> Path:
    """A copy of the course's configuration and source in ``folder``, released with nbgrader."""
    shutil.copyfile(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", folder / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    released = nbgrader(folder, "generate_assignment", ASSIGNMENT)
    assert released.returncode == 0, released.stdout + released.stderr
    return folder


def correct_modules(folder: Path) -> Path:
    """``folder`` with the reference layers.py and rnn_layers.py, solution markers dropped."""
    from helpers import reference_source

    folder.mkdir(parents=True)
    for module in ("layers", "rnn_layers"):
        (folder / f"{module}.py").write_text(reference_source(module) + "\n")
    return folder


def released_notebooks(course: Path) -> dict[str, dict]:
    return {name: json.loads((course / "assignment" / ASSIGNMENT / name).read_text()) for name in NOTEBOOKS}


def solved(course: Path) -> dict[str, dict]:
    """The released notebooks with every answer written as in the source (markers dropped)."""
    notebooks = released_notebooks(course)
    for name, released in notebooks.items():
        source = json.loads((course / "solutions" / ASSIGNMENT / name).read_text())
        answers = {grade_id(cell): cell for cell in source["cells"] if grade_id(cell)}
        for cell in released["cells"]:
            if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                continue
            if cell["cell_type"] == "markdown":
                cell["source"] = "My answer: the gradient there is exactly zero, so nothing below learns."
                continue
            lines = "".join(answers[grade_id(cell)]["source"]).splitlines(keepends=True)
            cell["source"] = "".join(line for line in lines if "### " not in line)
    return notebooks


def insert_after_setup(notebook: dict, source: str, cell_id: str) -> dict:
    """Put a new code cell right after the notebook's setup cell (its first, locked imports)."""
    setup = next(i for i, cell in enumerate(notebook["cells"]) if (grade_id(cell) or "").endswith("_setup"))
    notebook["cells"].insert(setup + 1, {"cell_type": "code", "execution_count": None, "id": cell_id,
                                         "metadata": {}, "outputs": [], "source": source})
    return notebook


def write_student(course: Path, student: str, notebooks: dict[str, dict], modules: Path | None) -> Path:
    """submitted/STUDENT/backprop: the release, with these notebooks and these modules in it."""
    folder = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(course / "assignment" / ASSIGNMENT, folder)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook, indent=1))
    if modules is not None:
        for name in MODULES:
            shutil.copyfile(modules / name, folder / name)
    return folder


def gradebook_scores(course: Path, students: list[str]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """(student -> grade id -> score, grade id -> max score) read from the course's gradebook."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        max_points = {cell.name: cell.max_score for nb in gradebook.find_assignment(ASSIGNMENT).notebooks
                      for cell in nb.grade_cells}
        for student in students:
            scores[student] = {}
            for notebook in NOTEBOOKS:
                submission = gradebook.find_submission_notebook(notebook[:-6], ASSIGNMENT, student)
                scores[student].update({grade.name: grade.auto_score or 0.0 for grade in submission.grades})
    return scores, max_points


def cli_grade(course: Path, student: str) -> dict:
    """``python -m autograder grade`` of the student's submitted folder with their course seed: its
    results.json, with the seed and the TA's report it printed (``ta_report``)."""
    submission = course / "submitted" / student / ASSIGNMENT
    seed = course_seed(secret_path(f"sqlite:///{course / 'gradebook.db'}", course), ASSIGNMENT, student, submission)
    out = course / f"{student}.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission),
                           "--reference", str(course / "solutions" / ASSIGNMENT), "--seed", str(seed),
                           "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {"seed": seed, "ta_report": done.stdout, **json.loads(out.read_text())}


def layer_score(scores: dict[str, float]) -> float:
    return sum(score for grade_id_, score in scores.items() if grade_id_ in LAYER_CELLS)


def gradebook_rows(course: Path) -> dict[str, dict]:
    """Every student's rows in the course's gradebook (student, submission, notebooks, grades, comments), each
    row's columns but its ids (random for every new row) and its links to other rows, keyed by names."""
    from nbgrader.api import Gradebook
    from sqlalchemy import inspect

    def columns(row: object) -> dict:
        return {column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs
                if column.key != "id" and not column.key.endswith("_id")}

    rows: dict[str, dict] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            rows[student.id] = {"student": columns(student), "submissions": {}}
            for submission in student.submissions:
                rows[student.id]["submissions"][submission.name] = {
                    "submission": columns(submission),
                    "notebooks": {notebook.name: {"notebook": columns(notebook),
                                                  "grades": {g.name: columns(g) for g in notebook.grades},
                                                  "comments": {c.name: columns(c) for c in notebook.comments}}
                                  for notebook in submission.notebooks}}
    return rows


def folder_files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder``: its relative path -> (permission bits, content)."""
    return {str(path.relative_to(folder)): (path.stat().st_mode & 0o7777, path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()}
