"""Grading a backward that measures its gradient: 0 for that function by default, with the reason;
its points stand under ``measured_backward = "flag"``, which names it for the TA only. Correct
variants that recompute a forward at the cached point keep full marks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import CORPUS, build_submission, corpus_entry, reference_source, scores_by_function

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import BY_NAME, FUNCTIONS
from autograder.grading.grade import grade
from autograder.outputs.gradebook import row
from autograder.outputs.report import text_report
from autograder.outputs.results_json import gradescope_results
from autograder.sandbox.host import current

pytestmark = pytest.mark.skipif(not current().landlock, reason="needs Landlock (Linux >= 5.13)")

MEASURED = sorted((CORPUS / "measured").glob("*.py"))
TRICKY = sorted((CORPUS / "tricky").glob("*.py"))
SEED = 5


def _build(folder: Path, path: Path) -> Path:
    submission = build_submission(folder, path)
    layers = corpus_entry(path).get("LAYERS")
    if layers:
        with open(submission / "layers.py", "a") as file:
            file.write("\n\n" + layers + "\n")
    return submission


@pytest.mark.e2e  # the tricky corpus, each graded in the sandbox
@pytest.mark.parametrize("path", TRICKY, ids=lambda path: path.stem)
def test_correct_variants_keep_full_marks(tmp_path: Path, path: Path) -> None:
    result = grade(_build(tmp_path / "submission", path), DEFAULT_REFERENCE, seed=SEED)
    assert result.measured == {}
    assert result.score == result.max_score == 100, text_report(result)


@pytest.mark.e2e  # the measured corpus, each graded in the sandbox
@pytest.mark.parametrize("path", MEASURED, ids=lambda path: path.stem)
def test_a_measured_backward_scores_zero_with_its_reason(tmp_path: Path, path: Path) -> None:
    flagged = set(corpus_entry(path)["FLAGGED"].split())
    result = grade(_build(tmp_path / "submission", path), DEFAULT_REFERENCE, seed=SEED)
    assert set(result.measured) == flagged
    unimportable = set(result.module_problems)  # a library the grader does not have (jax, scipy, ...)
    for function in FUNCTIONS:
        got, most = scores_by_function(result)[function.name]
        if function.name in flagged or function.module in unimportable:
            assert got == 0, f"{function.name} scored {got} for a measured gradient"
        else:
            assert got == most, f"{function.name} lost points it earned: {text_report(result)}"
    report = " ".join(text_report(result).split())  # the report wraps its lines
    for name in flagged:
        if BY_NAME[name].module not in unimportable:
            assert " ".join(result.measured[name].split()) in report
        assert "not to measure it" in result.measured[name]


def test_the_rubric_can_make_it_a_flag_for_the_ta(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE, reference)
    rubric = reference / "rubric.toml"
    rubric.write_text(rubric.read_text().replace('measured_backward = "zero"', 'measured_backward = "flag"'))
    path = CORPUS / "measured" / "sigmoid_centred_forward.py"  # full marks, were it not measured
    result = grade(_build(tmp_path / "submission", path), reference, seed=SEED)
    assert result.score == 100 and set(result.measured) == {"sigmoid_backward"}
    assert "measure" not in text_report(result)  # the student's report says nothing
    results = gradescope_results(result)
    assert all(test["status"] == "passed" for test in results["tests"])
    assert row("student", results)["measured"] == "sigmoid_backward"  # the TA's gradebook does


def test_a_bad_setting_is_refused(tmp_path: Path) -> None:
    from autograder.grading.rubric import RubricError

    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE, reference)
    rubric = reference / "rubric.toml"
    rubric.write_text(rubric.read_text().replace('measured_backward = "zero"', 'measured_backward = "maybe"'))
    with pytest.raises(RubricError, match="measured_backward must be one of"):
        grade(DEFAULT_REFERENCE, reference, seed=SEED)


def test_code_the_reader_cannot_follow_is_not_passed_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If reading a module fails inside the grader, its functions are flagged (with a message that
    says to tell the TA), never let through unread; the other module is graded as usual."""
    from autograder.grading import grade as grading

    real = grading.measured_functions

    def fails_on_layers(source, graded, module, siblings=None):
        if module == "layers":
            raise RuntimeError("reader bug")
        return real(source, graded, module, siblings)

    monkeypatch.setattr(grading, "measured_functions", fails_on_layers)
    result = grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, seed=SEED)
    assert set(result.measured) == {f.name for f in FUNCTIONS if f.module == "layers"}
    assert all("please tell your TA" in why for why in result.measured.values())
    assert result.score == sum(most for name, (_, most) in scores_by_function(result).items()
                               if BY_NAME[name].module == "rnn_layers")


SWAPS = {
    "self_import": '''
import layers as _me

def _slope(dout, cache):
    return dout * 0.0 + 1.0

_me.sigmoid_backward = _slope
''',
    "module_getattr": '''
del sigmoid_backward

def _slope(dout, cache):
    return dout * 0.0 + 1.0

def __getattr__(name):
    if name == "sigmoid_backward":
        return _slope
    raise AttributeError(name)
''',
    "same_name_from_a_factory": '''
import sys

def _make():
    def sigmoid_backward(dout, cache):
        return _given(dout, cache)
    return sigmoid_backward

_given = sigmoid_backward
setattr(sys.modules[__name__], "sigmoid_backward", _make())
''',
}


@pytest.mark.parametrize("swap", sorted(SWAPS))
def test_a_function_swapped_in_at_import_time_scores_zero(tmp_path: Path, swap: str) -> None:
    """The code a graded name runs must be its def in the source: what the source reader judged."""
    attack = tmp_path / "attack.py"
    attack.write_text('TARGET = "layers"\n' + SWAPS[swap])
    result = grade(build_submission(tmp_path / "submission", attack), DEFAULT_REFERENCE, seed=SEED)
    assert "sigmoid_backward" in result.measured
    assert scores_by_function(result)["sigmoid_backward"][0] == 0
    others = {name: score for name, score in scores_by_function(result).items()
              if BY_NAME[name].module == "layers" and name != "sigmoid_backward" and name not in result.measured}
    assert all(got == most for got, most in others.values()), others


def test_a_function_defined_twice_runs_its_last_def(tmp_path: Path) -> None:
    """A student who pastes a second version below the first keeps full marks."""
    again = tmp_path / "again.py"
    again.write_text('TARGET = "layers"\n\ndef relu_backward(dout, cache):\n    return dout * (cache > 0)\n')
    result = grade(build_submission(tmp_path / "submission", again), DEFAULT_REFERENCE, seed=SEED)
    assert result.measured == {} and result.score == 100


def test_a_def_of_the_same_name_and_line_in_the_sibling_does_not_pass() -> None:
    """The code that ran must be the def in the graded module's own file: the other module may hold
    a def of the same name on the same line."""
    from autograder.grading.definitions import replaced

    ran = {"name": "rnn_step_backward", "line": 33, "file": "layers.py"}
    assert replaced({33}, "rnn_step_backward", ran, "rnn_layers.py")
    assert not replaced({33}, "rnn_step_backward", {**ran, "file": "rnn_layers.py"}, "rnn_layers.py")


def _moved_into_layers(folder: Path, names: tuple[str, ...]) -> Path:
    """The reference with ``names`` moved from rnn_layers.py into layers.py, and brought back into
    rnn_layers.py by ``from layers import *``: honest code, laid out differently."""
    import ast

    folder.mkdir()
    rnn = reference_source("rnn_layers")
    tree = ast.parse(rnn)
    lines = rnn.splitlines(keepends=True)
    moved = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
    kept = [line for number, line in enumerate(lines, start=1)
            if not any(node.lineno <= number <= node.end_lineno for node in moved)]
    taken = "".join("".join(lines[node.lineno - 1:node.end_lineno]) + "\n\n" for node in moved)
    (folder / "layers.py").write_text(reference_source("layers") + "\n\n" + taken)
    (folder / "rnn_layers.py").write_text("from layers import *  # noqa: F403\n" + "".join(kept))
    return folder


def test_step_functions_brought_in_by_a_star_import_keep_full_marks(tmp_path: Path) -> None:
    submission = _moved_into_layers(tmp_path / "submission", ("rnn_step_forward", "rnn_step_backward"))
    result = grade(submission, DEFAULT_REFERENCE, seed=SEED)
    assert result.measured == {} and result.score == 100, text_report(result)
