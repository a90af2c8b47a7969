"""The nbgrader course end to end, with real nbgrader and real Jupyter kernels, in a copy of the course.

release → six students under submitted/ → autograde → generate_feedback → export. The layer-code
cells must score what ``python -m autograder grade`` gives on the same files, whatever the notebook's
kernel did.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, build_submission, reference_source

from autograder.nbgrader import LAYER_CELLS, course_seed, secret_path
from autograder.release import _given_lines, solution_lines

pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "backprop"
NOTEBOOKS = sorted(path.name for path in (ROOT / "solutions" / ASSIGNMENT).glob("*.ipynb"))
BUGS = (CORPUS / "buggy" / "sigmoid_zeros.py", CORPUS / "buggy" / "rnn_upstream_not_added.py")
CELL_TIMEOUT = 10  # seconds; the slowest cell of the solved notebooks takes about one
LOOPING_CELL = ("2_dying_relus.ipynb", "relu_first_step_at", "test_first_step_at")
DELETED_CELLS = ("1_saturated_sigmoids.ipynb", ("layers_sigmoid_backward", "test_saturated_fraction"))
TAMPERING = '''
# Make every check pass, whatever my layers do.
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
nbcheck.check_layer = lambda function: print(f"✓ {function}: all tests pass")
check_layer = nbcheck.check_layer
'''


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _solved(released: dict, source: dict) -> dict:
    """The released notebook with every answer written as in the source (markers dropped)."""
    answers = {_grade_id(cell): cell for cell in source["cells"] if _grade_id(cell)}
    for cell in released["cells"]:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        if cell["cell_type"] == "markdown":
            cell["source"] = "My answer: the gradient there is exactly zero, so nothing below learns."
            continue
        lines = "".join(answers[_grade_id(cell)]["source"]).splitlines(keepends=True)
        cell["source"] = "".join(line for line in lines if "### " not in line)
    return released


def _write_student(course: Path, student: str, notebooks: dict[str, dict], modules: Path | None) -> Path:
    folder = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(course / "assignment" / ASSIGNMENT, folder)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook, indent=1))
    if modules is not None:
        for name in ("layers.py", "rnn_layers.py"):
            shutil.copyfile(modules / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Release, submit, autograde, generate feedback and export once; the tests read the results."""
    course = tmp_path_factory.mktemp("course")
    shutil.copyfile(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    released = _nbgrader(course, "generate_assignment", ASSIGNMENT)
    assert released.returncode == 0, released.stdout + released.stderr

    release = {name: json.loads((course / "assignment" / ASSIGNMENT / name).read_text()) for name in NOTEBOOKS}
    source = {name: json.loads((course / "solutions" / ASSIGNMENT / name).read_text()) for name in NOTEBOOKS}

    def solved() -> dict[str, dict]:
        return {name: _solved(json.loads(json.dumps(release[name])), source[name]) for name in NOTEBOOKS}

    correct_modules = course / "modules" / "correct"
    correct_modules.mkdir(parents=True)
    for module in ("layers", "rnn_layers"):
        (correct_modules / f"{module}.py").write_text(reference_source(module) + "\n")
    buggy_modules = build_submission(course / "modules" / "buggy", *BUGS)

    students = {"correct": (solved(), correct_modules), "buggy": (solved(), buggy_modules)}

    tamperer = solved()
    for notebook in tamperer.values():
        setup = next(i for i, cell in enumerate(notebook["cells"]) if (_grade_id(cell) or "").endswith("_setup"))
        notebook["cells"].insert(setup + 1, {"cell_type": "code", "execution_count": None, "id": "tamper",
                                             "metadata": {}, "outputs": [], "source": TAMPERING})
        for cell in notebook["cells"]:  # an edited grade cell that prints full marks
            if _grade_id(cell) in LAYER_CELLS:
                cell["source"] = f"print('all good')\n{cell['metadata']['nbgrader']['points']}.0"
    students["tamperer"] = (tamperer, buggy_modules)

    looper = solved()
    name, solution_id, _ = LOOPING_CELL
    cell = next(c for c in looper[name]["cells"] if _grade_id(c) == solution_id)
    cell["source"] = "while True:\n    pass\n" + cell["source"]
    students["looper"] = (looper, correct_modules)

    deleter = solved()
    name, deleted = DELETED_CELLS
    deleter[name]["cells"] = [c for c in deleter[name]["cells"] if _grade_id(c) not in deleted]
    students["deleter"] = (deleter, correct_modules)

    students["untouched"] = ({}, None)
    for student, (notebooks, modules) in students.items():
        _write_student(course, student, notebooks, modules)

    autograded = _nbgrader(course, "autograde", ASSIGNMENT, f"--Execute.timeout={CELL_TIMEOUT}")
    assert autograded.returncode == 0, autograded.stdout + autograded.stderr
    feedback = _nbgrader(course, "generate_feedback", ASSIGNMENT)
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    exported = _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert exported.returncode == 0, exported.stdout + exported.stderr

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        max_points = {cell.name: cell.max_score for nb in gradebook.find_assignment(ASSIGNMENT).notebooks
                      for cell in nb.grade_cells}
        for student in students:
            scores[student] = {}
            for notebook in NOTEBOOKS:
                submission = gradebook.find_submission_notebook(notebook[:-6], ASSIGNMENT, student)
                scores[student].update({grade.name: grade.auto_score or 0.0 for grade in submission.grades})
    return {"path": course, "scores": scores, "max_points": max_points, "students": list(students),
            "log": autograded.stderr}


def _cli_grade(course: Path, student: str) -> dict:
    seed = course_seed(secret_path(f"sqlite:///{course / 'gradebook.db'}", course), ASSIGNMENT, student)
    out = course / f"{student}.json"
    submission = course / "submitted" / student / ASSIGNMENT
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission),
                           "--reference", str(course / "solutions" / ASSIGNMENT), "--seed", str(seed),
                           "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {"seed": seed, **json.loads(out.read_text())}


def _layer_score(scores: dict[str, float]) -> float:
    return sum(score for grade_id, score in scores.items() if grade_id in LAYER_CELLS)


def test_the_committed_release_is_what_nbgrader_generates(course: dict) -> None:
    fresh = course["path"] / "assignment" / ASSIGNMENT
    for name in NOTEBOOKS:
        assert (fresh / name).read_bytes() == (ROOT / "assignment" / ASSIGNMENT / name).read_bytes(), (
            f"{name} is out of date: run make release and commit assignment/backprop")


@pytest.mark.parametrize("student", ["correct", "buggy", "tamperer", "looper", "deleter", "untouched"])
def test_layer_cells_score_what_the_cli_gives(course: dict, student: str) -> None:
    cli = _cli_grade(course["path"], student)
    got = course["scores"][student]
    assert _layer_score(got) == pytest.approx(cli["score"], abs=1e-6), (student, got)
    for grade_id, function in LAYER_CELLS.items():
        expected = sum(t["score"] for t in cli["tests"] if t["name"].startswith(f"{function.name}:"))
        assert got[grade_id] == pytest.approx(expected, abs=1e-6), (student, grade_id)


def test_scores_of_each_kind_of_student(course: dict) -> None:
    scores, max_points = course["scores"], course["max_points"]
    automatic = {grade_id for grade_id in max_points if grade_id in LAYER_CELLS or grade_id.startswith("test_")}
    full = sum(max_points[grade_id] for grade_id in automatic)
    total = {student: sum(student_scores.values()) for student, student_scores in scores.items()}
    assert total["correct"] == pytest.approx(full)
    assert total["deleter"] == pytest.approx(full), "a deleted grade cell is restored and graded"
    assert 0 < total["buggy"] < full
    assert total["tamperer"] == pytest.approx(total["buggy"]), "tampering in the kernel gains nothing"
    looped = LOOPING_CELL[2]
    assert scores["looper"][looped] == 0
    assert total["looper"] == pytest.approx(full - max_points[looped]), "the loop costs only its own cells"
    assert total["untouched"] == 0


def test_feedback_holds_no_hidden_case_and_no_solution(course: dict) -> None:
    path = course["path"]
    texts = {}
    for student in course["students"]:
        folder = path / "feedback" / student / ASSIGNMENT
        pages = sorted(folder.glob("*.html"))
        assert [page.stem for page in pages] == [name[:-6] for name in NOTEBOOKS], student
        texts[student] = html.unescape(re.sub(r"<[^>]+>", "", "\n".join(p.read_text() for p in pages)))
        assert not (folder / "mistakes.py").exists() and not (folder / "rubric.toml").exists()
    buggy = _cli_grade(path, "buggy")
    assert str(buggy["seed"]) not in texts["buggy"]
    details = {line for test in buggy["tests"] for line in test["output"].splitlines() if line.startswith("case ")}
    assert details, "the buggy student fails some hidden cases"
    for line in details:
        assert line not in texts["buggy"] and line not in texts["tamperer"]
    assert "looks like:" in texts["buggy"]  # known mistakes are named
    solutions = path / "solutions" / ASSIGNMENT
    secret = {line for line in solution_lines(solutions) - _given_lines(solutions) if len(line) > 12}
    leaked = [line for line in secret if line in texts["untouched"]]
    assert not leaked, leaked


def test_export_has_the_expected_totals(course: dict) -> None:
    with open(course["path"] / "grades.csv", newline="") as file:
        rows = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(file)}
    assert rows == pytest.approx({student: sum(scores.values()) for student, scores in course["scores"].items()})

