"""The course's notebooks and nbgrader configuration: structure, points, the trusted cell scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import CORPUS, build_submission

from autograder.core.spec import BY_NAME, FUNCTIONS
from autograder.course.release import find_leaks
from autograder.grading.grade import grade
from autograder.grading.rubric import load_rubric

pytest.importorskip("nbgrader")
from nbgrader.utils import determine_grade
from traitlets.config.loader import PyFileConfigLoader

from autograder.integrations.nbgrader.layer_cells import (
    LAYER_CELLS,
    TrustedLayerGrades,
    cell_feedback,
    cell_score,
)
from autograder.integrations.seeds import course_seed

pytestmark = pytest.mark.e2e  # real tools or many seeds: left out of the fast loop

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "backprop"
ASSIGNMENT = ROOT / "assignment" / "backprop"
NOTEBOOKS = sorted(SOLUTIONS.glob("*.ipynb"))
RUBRIC = load_rubric(SOLUTIONS).points


def _graded(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"] if "nbgrader" in cell.get("metadata", {})]


def _meta(cell: dict) -> dict:
    return cell["metadata"]["nbgrader"]


def test_four_notebooks_one_per_essay_section() -> None:
    assert [path.name for path in NOTEBOOKS] == [
        "1_saturated_sigmoids.ipynb", "2_dying_relus.ipynb", "3_exploding_rnn_gradients.ipynb",
        "4_dqn_clipped_delta.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_notebook_has_answers_a_written_question_plots_and_the_students_layers(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    cells = _graded(path)
    answers = [c for c in cells if _meta(c)["solution"] and c["cell_type"] == "code"]
    tests = [c for c in cells if _meta(c)["grade"] and _meta(c)["grade_id"].startswith("test_")]
    written = [c for c in cells if _meta(c)["grade"] and _meta(c)["solution"] and c["cell_type"] == "markdown"]
    assert len(answers) == len(tests) >= 2
    assert len(written) >= 1
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "plt.show()" in code
    assert "from layers import" in code or "from rnn_layers import" in code
    assert "### BEGIN SOLUTION" in "".join(c.source for c in notebook.cells if c.cell_type == "code")
    for cell in cells:  # nbgrader's schema: required keys, and points on every grade cell
        assert {"schema_version", "grade", "solution", "locked", "grade_id"} <= set(_meta(cell))
        assert not _meta(cell)["grade"] or _meta(cell)["points"] > 0


def test_every_graded_function_has_one_cell_worth_its_rubric_points() -> None:
    cells = [cell for path in NOTEBOOKS for cell in _graded(path) if _meta(cell)["grade_id"] in LAYER_CELLS]
    ids = [_meta(cell)["grade_id"] for cell in cells]
    assert sorted(ids) == sorted(LAYER_CELLS)
    for cell in cells:
        function = LAYER_CELLS[_meta(cell)["grade_id"]]
        assert _meta(cell)["points"] == sum(RUBRIC[function.name].values())
        assert _meta(cell)["locked"] and _meta(cell)["grade"] and not _meta(cell)["solution"]
        assert f'nbcheck.check_layer("{function.name}")' in "".join(cell["source"])


def test_grade_ids_are_unique_across_the_course() -> None:
    ids = [_meta(cell)["grade_id"] for path in NOTEBOOKS for cell in _graded(path)]
    assert len(ids) == len(set(ids))


def test_the_course_configuration() -> None:
    config = PyFileConfigLoader("nbgrader_config.py", str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignment"
    assert sorted(config.Autograde.exclude_overwriting["backprop"]) == ["layers.py", "rnn_layers.py"]
    assert config.OverwriteCells.add_missing_cells is True
    assert config.Execute.timeout > 0
    names = [step.__name__ for step in config.Autograde.autograde_preprocessors]
    assert "Execute" not in names, "notebooks run only in confined kernels"
    assert names[:3] == ["GradeLayersFirst", "ConfinedExecute", "SanitizeOutputs"]
    assert names.index("TrustedLayerGrades") < names.index("SaveAutoGrades")
    assert {"mistakes.py", "rubric.toml", "public_tests"} <= set(config.CourseDirectory.ignore)


def test_the_released_notebooks_hold_no_solution() -> None:
    assert find_leaks(SOLUTIONS, ASSIGNMENT) == []
    for path in NOTEBOOKS:
        released = (ASSIGNMENT / path.name).read_text()
        assert "BEGIN SOLUTION" not in released and "raise NotImplementedError()" in released


def test_a_solution_line_of_a_notebook_planted_in_the_release_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "backprop"
    shutil.copytree(ASSIGNMENT, copy, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    notebook = json.loads((copy / NOTEBOOKS[1].name).read_text())
    notebook["cells"][0]["source"] = ["x = 1\n", "    return float(np.mean(np.all(hidden <= 0.0, axis=0)))\n"]
    (copy / NOTEBOOKS[1].name).write_text(json.dumps(notebook, indent=1))
    leaks = find_leaks(SOLUTIONS, copy)
    assert len(leaks) == 1 and NOTEBOOKS[1].name in leaks[0]


# ---------------------------------------------------------------------------------------------
# The trusted preprocessor's pieces


def test_the_seed_comes_from_the_course_secret(tmp_path: Path) -> None:
    secret = tmp_path / "gradebook-folder" / ".secret"
    submitted = build_submission(tmp_path / "submitted")
    first = course_seed(secret, "backprop", "ada", submitted)
    assert secret.stat().st_mode & 0o077 == 0, "the secret is readable by its owner only"
    assert course_seed(secret, "backprop", "ada", submitted) == first
    assert course_seed(secret, "backprop", "bob", submitted) != first
    secret.write_text("another course\n")
    assert course_seed(secret, "backprop", "ada", submitted) != first


@pytest.fixture(scope="module")
def buggy_grade(tmp_path_factory: pytest.TempPathFactory):
    # Right except in saturation, where its formula overflows: partial credit and a named mistake.
    folder = build_submission(tmp_path_factory.mktemp("buggy"), CORPUS / "buggy" / "sigmoid_overflowing_formula.py")
    # A seed no other number of the feedback contains (the versions line holds "3.11.7"), so it cannot hide.
    return grade(folder, SOLUTIONS, seed=7_340_013, only=["sigmoid_backward", "affine_backward"])


def test_cell_score_scales_and_clamps(buggy_grade) -> None:
    results = [r for r in buggy_grade.results if r.verdict.function.name == "sigmoid_backward"]
    got, total = sum(r.points for r in results), sum(r.max_points for r in results)
    assert 0 < got < total
    assert cell_score(results, total) == got
    assert cell_score(results, 1.0) == pytest.approx(got / total)
    assert cell_score(results, 3.0) <= 3.0
    assert cell_score([], 5.0) == 0.0


def test_cell_feedback_names_checks_and_mistakes_but_no_hidden_case(buggy_grade) -> None:
    function = next(f for f in FUNCTIONS if f.name == "sigmoid_backward")
    results = [r for r in buggy_grade.results if r.verdict.function.name == function.name]
    text = cell_feedback(function, results, buggy_grade, 1.0, 8.0)
    assert text.startswith("sigmoid_backward: 1 / 8 points")
    assert "looks like:" in text and "✗" in text and "✓" in text
    assert str(buggy_grade.seed) not in text
    for finding in (finding for result in results for finding in result.verdict.findings):
        assert finding.message not in text and f'"{finding.case}"' not in text


def test_the_preprocessor_replaces_a_tampered_cell_with_the_verdict(tmp_path: Path, buggy_grade) -> None:
    cell = nbformat.v4.new_code_cell("print('all good')\n8.0")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 8,
                                 "grade_id": "layers_sigmoid_backward", "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "8.0"}, execution_count=1)]
    assert TrustedLayerGrades.function_of(cell).name == "sigmoid_backward"
    TrustedLayerGrades()._score(cell, buggy_grade)
    assert [output.output_type for output in cell.outputs] == ["display_data", "execute_result"]
    results = [r for r in buggy_grade.results if r.verdict.function.name == "sigmoid_backward"]
    score = sum(r.points for r in results)
    assert cell.outputs[1].data["text/plain"] == repr(score)
    # The feedback, as text and as the kit's HTML (with pictures); only the execute_result is a score.
    shown = cell.outputs[0].data
    assert set(shown) == {"text/plain", "text/html"}
    assert shown["text/plain"] == cell_feedback(BY_NAME["sigmoid_backward"], results, buggy_grade, score, 8.0) + "\n"
    assert shown["text/html"].startswith('<div class="bk">') and "<svg" in shown["text/html"]
    assert "sigmoid_backward: " in shown["text/html"] and "looks like:" in shown["text/html"]
    assert determine_grade(cell) == (score, 8.0)


def test_a_partly_finished_notebook_fails_politely(tmp_path: Path) -> None:
    """A student who has answered every question and written the RNN backward, but not clip_grad_norm,
    runs notebook 3 top to bottom: each cell that cannot run yet ends with one polite line, none with a
    raw error (an empty list of norms once gave "ValueError: max() arg is an empty sequence")."""
    from helpers import reference_source

    from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
    from autograder.course.notebooks import errors, execute, impolite

    folder = tmp_path / "backprop"
    shutil.copytree(DEFAULT_RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    notebook = "3_exploding_rnn_gradients.ipynb"
    shutil.copy(DEFAULT_REFERENCE / notebook, folder / notebook)  # the answers written
    (folder / "layers.py").write_text(reference_source("layers") + "\n")
    unwritten = ('def clip_grad_norm(grads, max_norm):\n'
                 '    raise NotImplementedError("clip_grad_norm is not implemented yet")\n')
    (folder / "rnn_layers.py").write_text(reference_source("rnn_layers") + "\n\n\n" + unwritten)
    ran, _ = execute(folder / notebook, allow_errors=True)
    assert errors(ran), "clip_grad_norm is unwritten: some cell must say so"
    assert impolite(ran) == []


@pytest.mark.parametrize("notebook", [path.name for path in NOTEBOOKS])
@pytest.mark.parametrize("done", ["the answers, not the layer code", "the layer code, not the answers"])
def test_every_notebook_half_done_fails_politely(tmp_path: Path, notebook: str, done: str) -> None:
    """Two halves a student may finish first: each cell that cannot run yet ends with one polite line."""
    from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
    from autograder.core.spec import MODULE_FILES
    from autograder.course.notebooks import execute, impolite

    folder = tmp_path / "backprop"
    shutil.copytree(DEFAULT_RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    if done.startswith("the answers"):
        shutil.copy(DEFAULT_REFERENCE / notebook, folder / notebook)
    else:
        for name in MODULE_FILES:
            shutil.copy(DEFAULT_REFERENCE / name, folder / name)
    ran, _ = execute(folder / notebook, allow_errors=True)
    assert impolite(ran) == []


def _numbers(table: str) -> list[str]:
    """The values of a REPRODUCED table, whatever language its labels are in."""
    return [line.rsplit(": ", 1)[1] for line in table.strip().splitlines()]


@pytest.mark.parametrize("notebook", [path.name for path in NOTEBOOKS])
def test_each_vietnamese_notebook_runs_solved_reproduces_the_english_numbers_and_fails_politely_released(
    tmp_path: Path, notebook: str
) -> None:
    from autograder.course.notebooks import errors, execute, impolite, reproduced, solved_folder
    from autograder.course.release import release_dir

    vietnamese = release_dir(ASSIGNMENT, "vi")
    english_run, _ = execute(solved_folder(SOLUTIONS, ASSIGNMENT, tmp_path / "en") / notebook, allow_errors=True)
    solved_run, _ = execute(solved_folder(SOLUTIONS, vietnamese, tmp_path / "vi", "vi") / notebook, allow_errors=True)
    assert errors(solved_run) == []
    assert _numbers(reproduced(solved_run)) == _numbers(reproduced(english_run))
    assert reproduced(solved_run) != reproduced(english_run)  # its labels are translated
    untouched = tmp_path / "release"
    shutil.copytree(vietnamese, untouched, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    released_run, _ = execute(untouched / notebook, allow_errors=True)
    assert errors(released_run) and impolite(released_run) == []
