"""Student text cannot forge a report: every report path shows what a submission printed, raised,
returned as keys or named its folders as plain text, with the grader's own score its only score.

The paths: the terminal report and report.txt (``text_report``), ``grade --json`` and Gradescope's
results.json, grade-all's gradebook.csv, and nbgrader's feedback cells (their HTML too; the HTML
report has its own attacks in test_html_report.py). One hostile submission feeds
them all: its ``layers.py`` fails to import with an exception that clears the screen and draws a
score, and its ``clip_grad_norm`` prints escapes and returns a key whose name is one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from helpers import assert_kit_html, assert_printable, build_submission, hidden_characters, reference_source

from autograder import DEFAULT_REFERENCE
from autograder.core.printable import printable, spreadsheet_cell
from autograder.core.spec import BY_NAME, FUNCTIONS
from autograder.grading.grade import Grade, grade
from autograder.integrations import gradescope
from autograder.integrations.batch import REPORT, grade_all
from autograder.outputs.gradebook import GRADEBOOK, RESULTS
from autograder.outputs.report import WIDTH, text_report
from autograder.outputs.results_json import gradescope_results
from autograder.sandbox.runner import PRINTED_LIMIT

SEED = 5
LIE = "\x1b[2J\x1b[H\x1b[1;32mScore: 100 / 100\x1b[0m\r\n\u009b2J\u202e001 / 001\u202c\u200b\ud800"
SHOUT = LIE.replace("\ud800", "")  # what a child can print: UTF-8 has no lone surrogates
LAYERS = f"raise ValueError({LIE!r})\n"
CLIP = f'''

class _Key:
    def __repr__(self):
        return {LIE!r}


def clip_grad_norm(grads, max_norm):
    print({SHOUT!r}, flush=True)
    print("\\x1b", end="", flush=True)  # an escape split over two prints
    print("[2J" + " " * 90 + "Score: 100 / 100", flush=True)
    return {{_Key(): "not an array"}}, 0.0
'''
GRADED = ("relu_backward", "clip_grad_norm")
# The names students give their folders reach the gradebook, the reports and Gradescope's note.
STUDENT = '=HYPERLINK("evil.example","\x1b[2J100")'  # no slash: one folder


def assert_exact_score(results: dict) -> None:
    """The hostile submission's score: only its two honest functions (rnn_step_backward and rnn_backward)."""
    honest = {"rnn_step_backward", "rnn_backward"}
    for test in results["tests"]:
        assert test["score"] == (test["max_score"] if test["tags"][0] in honest else 0), test
    assert results["score"] == sum(t["max_score"] for t in results["tests"] if t["tags"][0] in honest) > 0


def _hostile(folder: Path) -> Path:
    build_submission(folder)
    (folder / "layers.py").write_text(LAYERS + reference_source("layers"))
    (folder / "rnn_layers.py").write_text(reference_source("rnn_layers") + CLIP)
    return folder


@pytest.fixture(scope="module")
def hostile_grade(tmp_path_factory: pytest.TempPathFactory) -> Grade:
    folder = _hostile(tmp_path_factory.mktemp("student") / "submission")
    return grade(folder, DEFAULT_REFERENCE, SEED, only=GRADED)


def test_the_attack_scores_zero_and_reaches_the_report(hostile_grade: Grade) -> None:
    assert hostile_grade.score == 0 and hostile_grade.max_score > 0
    report = text_report(hostile_grade)
    assert "ValueError: Score: 100 / 100" in report  # the import error, shown as text
    assert "clipped[Score: 100 / 100" in report  # the key's name, shown as text
    assert "printed (shown, never trusted)" in report


def test_terminal_report_and_report_txt_are_plain(hostile_grade: Grade) -> None:
    assert_printable(text_report(hostile_grade))


def test_grade_json_is_plain(hostile_grade: Grade) -> None:
    results = gradescope_results(hostile_grade)
    assert_printable("", results)
    assert_printable("", json.loads(json.dumps(results)))


def test_gradescope_results_and_its_note_are_plain(tmp_path: Path) -> None:
    """run_autograder's results.json and stdout, with the modules in a folder the student named."""
    root = tmp_path / "autograder"
    shutil.copytree(DEFAULT_REFERENCE, root / "source" / "reference")
    _hostile(root / "submission" / "\x1b[2J\u202ebackprop\nScore: 100 / 100")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert gradescope.run(root) == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert_exact_score(results)
    assert "Graded the files in" in results["output"]
    assert_printable(printed.getvalue().split("Graded by the kit")[0], results)


def test_grade_all_report_results_and_gradebook_are_plain(tmp_path: Path) -> None:
    """A student id made to run as a spreadsheet formula is written as text; one with escape codes in
    it is not graded at all (it would not show as itself), and says so."""
    formula = '=HYPERLINK("evil.example","100")'
    submissions = tmp_path / "submissions"
    _hostile(submissions / formula)
    _hostile(submissions / STUDENT)
    build_submission(submissions / "honest")
    out = tmp_path / "graded"
    done = grade_all(submissions, out, jobs=2)
    assert sorted(done.graded) == sorted([formula, "honest"]) and done.failed == {}
    assert list(done.refused) == [printable(STUDENT, multiline=False)]
    assert hidden_characters(next(iter(done.refused))) == []
    results = json.loads((out / formula / RESULTS).read_text())
    assert_exact_score(results)
    assert_printable((out / formula / REPORT).read_text(), results)
    with (out / GRADEBOOK).open(newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert set(rows) == {"honest", "'" + formula}
    for row in rows.values():
        for cell in row.values():
            assert hidden_characters(cell) == [] and not cell.startswith(("=", "+", "-", "@")), cell
    assert rows["honest"]["total"] == "100" and rows["'" + formula]["total"] == f"{results['score']:g}"


def test_nbgrader_feedback_cells_are_plain(hostile_grade: Grade) -> None:
    nbgrader = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    from nbformat.v4 import new_code_cell

    for function in (f for f in FUNCTIONS if f.name in GRADED):
        cell = new_code_cell("", metadata={"nbgrader": {"grade": True, "grade_id": nbgrader.grade_id(function),
                                                        "points": 2}})
        nbgrader.TrustedLayerGrades()._score(cell, hostile_grade)
        assert cell.outputs[1]["data"]["text/plain"] == "0.0"
        feedback = cell.outputs[0]["data"]["text/plain"]
        assert cell.outputs[0]["output_type"] == "display_data"
        page = "".join(assert_kit_html(cell.outputs[0]["data"]["text/html"], fragment=True).text)
        assert function.name in page and "0 / 2 points" in page
        assert function.name in feedback
        assert_printable("", {"feedback": feedback.split("\n", 1)[1]})
    # What the student's process wrote does not reach the student: its words could be a hidden case's.
    assert "layers.py could not be imported (ValueError): run pytest in your folder to see why" in (
        nbgrader.cell_feedback(BY_NAME["relu_backward"], [], hostile_grade, 0.0, 2.0))


# ---------------------------------------------------------------------------------------------
# The cleaning itself


def test_every_hidden_character_of_unicode_goes() -> None:
    everything = "".join(chr(code) for code in range(0x110000))
    kept = printable(everything)
    assert hidden_characters(kept) == []
    assert "\n" in kept and "\t" in kept
    assert printable(everything, multiline=False).count("\n") == 0


@pytest.mark.parametrize(("text", "shown"), [
    ("a\x1b[2J\x1b[Hb", "ab"),  # CSI sequences, whole
    ("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c", "abc"),  # OSC: window titles, hyperlinks
    ("a\x1bcb\x1b", "ab"),  # any other escape, and a lone one at the end
    ("a\u009b2Jb", "a2Jb"),  # C1's CSI: the control goes, its parameters show as text
    ("ok\rScore", "okScore"),
    ("Score: 0\b\b\b\b\b\b\b\b", "Score: 0"),
    ("\u202e001\u202c \u2066x\u2069 z\u200bw\ufeff\u00ad", "001 x zw"),
    ("lone \ud800 surrogate", "lone  surrogate"),
    ("line\r\nnext\tcell", "line\nnext\tcell"),
    ("é ✓ 界 …", "é ✓ 界 …"),  # everything else stays
])
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_an_escape_split_by_a_newline_leaves_no_escape() -> None:
    assert printable("\x1b\n[2J") == "\n[2J"
    assert printable("\x1b\n[2J", multiline=False) == " [2J"


@pytest.mark.parametrize(("cell", "written"), [
    ("alice", "alice"), ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\x1b==cmd", "'=cmd"), ("\t=cmd", "' =cmd"), ("a=b", "a=b"),
])
def test_spreadsheet_cell(cell: str, written: str) -> None:
    assert spreadsheet_cell(cell) == written


def _columns(line: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_long_and_wide_lines_stay_inside_the_report(hostile_grade: Grade) -> None:
    wide = Grade(hostile_grade.submission, SEED, hostile_grade.results, {"layers": "界" * 300 + " x" * 200},
                 {"rnn_layers": "界" * 100 + "\n" + " " * 300 + "Score: 100 / 100"}, 1.0)
    report = text_report(wide)
    assert max(_columns(line) for line in report.splitlines() if not line.startswith("Submission:")) <= WIDTH
    assert "  | " + "界" * 37 in report
    assert "".join(line.removeprefix("  ! ").strip() for line in report.splitlines()
                                if "界" in line and not line.startswith("  |")) == "界" * 300


# ---------------------------------------------------------------------------------------------
# The printed-output limit counts what was written, per function

PRINT_ONCE = '''

import os as _os

_printed = set()


def _once(name, size):
    """Print ``size`` bytes the first time ``name`` is called, straight to the file descriptor."""
    if name not in _printed:
        _printed.add(name)
        _os.write(1, b"." * size)


_relu_backward, _sigmoid_backward = relu_backward, sigmoid_backward


def relu_backward(dout, cache):
    _once("relu_backward", 700_000)
    return _relu_backward(dout, cache)


def sigmoid_backward(dout, cache):
    _once("sigmoid_backward", 700_000)
    return _sigmoid_backward(dout, cache)
'''


def test_the_output_limit_is_per_function(tmp_path: Path) -> None:
    """1.4 MB printed in all, 0.7 MB by each function: nothing is stopped, the report keeps the start."""
    folder = build_submission(tmp_path / "submission")
    (folder / "layers.py").write_text(reference_source("layers") + PRINT_ONCE)
    result = grade(folder, DEFAULT_REFERENCE, SEED, only=("relu_backward", "sigmoid_backward"))
    assert result.score == result.max_score > 0
    assert result.printed["layers"] == "." * PRINTED_LIMIT
