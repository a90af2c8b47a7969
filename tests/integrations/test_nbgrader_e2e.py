"""The nbgrader course end to end, with real nbgrader and real Jupyter kernels, in a copy of the course.

release → six students under submitted/ → autograde → generate_feedback → export. The layer-code
cells must score what ``python -m autograder grade`` gives on the same files, whatever the notebook's
kernel did.
"""

from __future__ import annotations

import csv
import html
import json
import re

import pytest
from helpers import CORPUS, build_submission, corpus_entry

pytest.importorskip("nbgrader")
from nbgrader_course import (
    ASSIGNMENT,
    NOTEBOOKS,
    ROOT,
    cli_grade,
    correct_modules,
    grade_id,
    gradebook_scores,
    insert_after_setup,
    layer_score,
    nbgrader,
    new_course,
    solved,
    write_student,
)

from autograder.cli import main
from autograder.course.release import _given_lines, solution_lines
from autograder.integrations.nbgrader.layer_cells import LAYER_CELLS
from autograder.outputs.class_report import CLASS_HTML, CLASS_JSON

pytestmark = pytest.mark.e2e  # real tools or many seeds: left out of the fast loop

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


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Release, submit, autograde, generate feedback and export once; the tests read the results."""
    course = new_course(tmp_path_factory.mktemp("course"))

    correct = correct_modules(course / "modules" / "correct")
    buggy_modules = build_submission(course / "modules" / "buggy", *BUGS)

    students = {"correct": (solved(course), correct), "buggy": (solved(course), buggy_modules)}

    tamperer = solved(course)
    for notebook in tamperer.values():
        insert_after_setup(notebook, TAMPERING, "tamper")
        for cell in notebook["cells"]:  # an edited grade cell that prints full marks
            if grade_id(cell) in LAYER_CELLS:
                cell["source"] = f"print('all good')\n{cell['metadata']['nbgrader']['points']}.0"
    students["tamperer"] = (tamperer, buggy_modules)

    looper = solved(course)
    name, solution_id, _ = LOOPING_CELL
    cell = next(c for c in looper[name]["cells"] if grade_id(c) == solution_id)
    cell["source"] = "while True:\n    pass\n" + cell["source"]
    students["looper"] = (looper, correct)

    deleter = solved(course)
    name, deleted = DELETED_CELLS
    deleter[name]["cells"] = [c for c in deleter[name]["cells"] if grade_id(c) not in deleted]
    students["deleter"] = (deleter, correct)

    students["untouched"] = ({}, None)
    for student, (notebooks, modules) in students.items():
        write_student(course, student, notebooks, modules)

    autograded = nbgrader(course, "autograde", ASSIGNMENT, f"--Execute.timeout={CELL_TIMEOUT}")
    assert autograded.returncode == 0, autograded.stdout + autograded.stderr
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT)
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    exported = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    scores, max_points = gradebook_scores(course, list(students))
    return {"path": course, "scores": scores, "max_points": max_points, "students": list(students),
            "log": autograded.stderr}


def test_the_committed_release_is_what_nbgrader_generates(course: dict) -> None:
    fresh = course["path"] / "assignment" / ASSIGNMENT
    for name in NOTEBOOKS:
        assert (fresh / name).read_bytes() == (ROOT / "assignment" / ASSIGNMENT / name).read_bytes(), (
            f"{name} is out of date: run make release and commit assignment/backprop")


@pytest.mark.parametrize("student", ["correct", "buggy", "tamperer", "looper", "deleter", "untouched"])
def test_layer_cells_score_what_the_cli_gives(course: dict, student: str) -> None:
    cli = cli_grade(course["path"], student)
    got = course["scores"][student]
    assert layer_score(got) == pytest.approx(cli["score"], abs=1e-6), (student, got)
    for cell_id, function in LAYER_CELLS.items():
        expected = sum(t["score"] for t in cli["tests"] if t["name"].startswith(f"{function.name}:"))
        assert got[cell_id] == pytest.approx(expected, abs=1e-6), (student, cell_id)


def test_scores_of_each_kind_of_student(course: dict) -> None:
    scores, max_points = course["scores"], course["max_points"]
    automatic = {cell_id for cell_id in max_points if cell_id in LAYER_CELLS or cell_id.startswith("test_")}
    full = sum(max_points[cell_id] for cell_id in automatic)
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
    buggy = cli_grade(path, "buggy")
    assert str(buggy["seed"]) not in texts["buggy"]
    values = set(re.findall(r"(?:expected|got|give|gives) (-?\d\.\d{3,}(?:e[-+]\d+)?)", buggy["ta_report"]))
    assert values, "the buggy student fails some hidden cases"
    for value in values:  # the TA's report shows the hidden values; the feedback, none
        assert value not in texts["buggy"] and value not in texts["tamperer"]
    said = " ".join(texts["buggy"].split())
    lines = {line for test in buggy["tests"] for line in test["output"].splitlines()}
    assert any(line.startswith("looks like:") for line in lines)  # known mistakes are named
    for line in lines:  # and the feedback says what results.json (Gradescope, report.txt) says
        assert " ".join(line.split()) in said, line
    solutions = path / "solutions" / ASSIGNMENT
    secret = {line for line in solution_lines(solutions) - _given_lines(solutions) if len(line) > 12}
    leaked = [line for line in secret if line in texts["untouched"]]
    assert not leaked, leaked


def test_export_has_the_expected_totals(course: dict) -> None:
    with open(course["path"] / "grades.csv", newline="") as file:
        rows = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(file)}
    assert rows == pytest.approx({student: sum(scores.values()) for student, scores in course["scores"].items()})



def test_autograde_leaves_the_tas_results_for_class_report(course: dict) -> None:
    """Each student's results.json goes to graded/backprop/STUDENT/ (as grade-all --out writes it), with the
    CLI's score, and nowhere students get back; class-report then reads that folder."""
    path = course["path"]
    graded = path / "graded" / ASSIGNMENT
    for student in ("correct", "buggy", "tamperer"):
        written = json.loads((graded / student / "results.json").read_text())
        assert written["score"] == pytest.approx(cli_grade(path, student)["score"], abs=1e-6), student
    assert not list((path / "autograded").rglob("results.json")) and not list((path / "feedback").rglob("results.json"))
    assert main(["class-report", str(graded)]) == 0 and (graded / CLASS_HTML).is_file()
    summary = json.loads((graded / CLASS_JSON).read_text())
    assert summary["students"] == len(course["students"]) and summary["complete"] is False  # no gradebook.csv
    planted = {corpus_entry(bug)["MISTAKE"] for bug in BUGS}
    made = {m["id"]: m["students"] for m in summary["mistakes"] if m["id"] in planted}
    assert made == {mistake: ["buggy", "tamperer"] for mistake in planted}
