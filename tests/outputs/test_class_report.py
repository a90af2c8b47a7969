"""class-report: a class's pass rates, regimes and common mistakes, read from grade-all's output folder.

The fast tests write results.json files directly (no grading); one end-to-end test grades a generated
class with planted mistakes through ``grade-all`` and reads the report it ends with.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, KitMarkup, build_submission, hidden_characters

from autograder import DEFAULT_REFERENCE, cli
from autograder.core.spec import FUNCTIONS
from autograder.grading.mistakes import load_catalogue
from autograder.integrations import batch
from autograder.outputs import class_report
from autograder.outputs.class_page import render_class_page
from autograder.outputs.class_report import CLASS_HTML, CLASS_JSON, class_summary, regime_of, write_class_report
from autograder.outputs.gradebook import GRADEBOOK, INCOMPLETE

CATALOGUE = load_catalogue(DEFAULT_REFERENCE)
EXPLANATION = {mistake.id: mistake.explanation for mistake in CATALOGUE}
POINTS = 2.0  # every check's points in these hand-written classes
# Folder names: no "/", so no closing tag, but an opening one is enough to run a script.
HOSTILE = ('<script>alert("x")', '"><img src=x onerror=alert(1)>', "a&amp;b", "\u202egpj.exe")
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "section", "h1", "h2", "h3", "p",
             "small", "div", "span", "ul", "li", "code", "figure", "figcaption", "img", "details", "summary",
             "strong"}


def results(failed: dict[tuple[str, str], list[str]]) -> dict[str, Any]:
    """A results.json as grade-all writes it: every check of every function, passed unless ``failed``
    names it ((function, check id) -> the mistake ids its wrong answers matched)."""
    tests = []
    for function in FUNCTIONS:
        for check in function.checks:
            mistakes = failed.get((function.name, check.id))
            tests.append({"name": f"{function.name}: {check.title}", "score": 0.0 if mistakes is not None else POINTS,
                          "max_score": POINTS, "status": "failed" if mistakes is not None else "passed",
                          "tags": [function.name, check.id], "extra_data": {"mistakes": mistakes or []}})
    total = POINTS * len(tests)
    return {"score": sum(t["score"] for t in tests), "extra_data": {"seed": 1, "max_score": total}, "tests": tests}


SATURATED = {("sigmoid_backward", "saturation"): ["sigmoid_derivative_of_preactivation"],
             ("sigmoid_backward", "reference"): ["sigmoid_derivative_of_preactivation"]}
DEAD = {("relu_backward", "dead_units"): ["relu_inverted_mask"], ("relu_backward", "reference"): []}


def write_class(folder: Path, students: dict[str, dict[tuple[str, str], list[str]]], book: str = GRADEBOOK) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for student, failed in students.items():
        (folder / student).mkdir()
        (folder / student / "results.json").write_text(json.dumps(results(failed)))
    (folder / book).write_text("student\n")
    return folder


@pytest.fixture
def graded(tmp_path: Path) -> Path:
    """Five students: two with saturated sigmoids (a named mistake), one with an inverted ReLU mask, two right."""
    return write_class(tmp_path / "graded", {"ann": SATURATED, "bob": SATURATED, "cy": DEAD, "dee": {}, "eve": {}})


def _function(summary: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in summary["functions"] if f["function"] == name)


def _rate(summary: dict[str, Any], function: str, check: str) -> float:
    return next(c["pass_rate"] for c in _function(summary, function)["checks"] if c["check"] == check)


def _regime(summary: dict[str, Any], regime: str) -> dict[str, Any]:
    return next(r for r in summary["regimes"] if r["regime"] == regime)


def test_the_summary_counts_pass_rates_means_and_ranks_mistakes(graded: Path) -> None:
    summary = class_summary(graded, CATALOGUE)
    assert summary["students"] == 5 and summary["complete"] is True and summary["unreadable"] == []
    assert [f["function"] for f in summary["functions"]] == [f.name for f in FUNCTIONS]
    assert _rate(summary, "sigmoid_backward", "saturation") == 0.6
    assert _rate(summary, "relu_backward", "dead_units") == 0.8
    assert _rate(summary, "affine_backward", "square_weights") == 1.0
    sigmoid = _function(summary, "sigmoid_backward")
    assert sigmoid["max_points"] == POINTS * 4 and sigmoid["mean_points"] == pytest.approx((3 * 8 + 2 * 4) / 5)
    assert [c["title"] for c in sigmoid["checks"]] == [c.title for c in FUNCTIONS[2].checks]
    assert summary["mistakes"] == [
        {"id": "sigmoid_derivative_of_preactivation", "function": "sigmoid_backward",
         "text": EXPLANATION["sigmoid_derivative_of_preactivation"], "students": ["ann", "bob"]},
        {"id": "relu_inverted_mask", "function": "relu_backward", "text": EXPLANATION["relu_inverted_mask"],
         "students": ["cy"]}]
    assert summary["similar"] == []
    bins = summary["scores"]["bins"]
    assert sum(b["students"] for b in bins) == 5 and bins[-1] == {"from": 90, "to": 100, "students": 5}


def test_regimes_pool_the_checks_of_each_essay_section(graded: Path) -> None:
    summary = class_summary(graded, CATALOGUE)
    saturation = _regime(summary, "saturated units")
    assert saturation["section"] == "Vanishing gradients on sigmoids"
    assert saturation["checks"] == ["sigmoid_backward: saturation", "tanh_backward: saturation",
                                    "rnn_step_backward: saturation"]
    assert saturation["pass_rate"] == pytest.approx(round(13 / 15, 4))  # 2 of 15 student-checks failed
    assert _regime(summary, "dead units")["pass_rate"] == 0.9  # relu's and affine's: 1 failed of 10
    assert _regime(summary, "beyond delta: clipped_square_loss")["checks"] == ["clipped_square_loss: beyond_delta"]
    rest = summary["regimes"][-1]
    assert rest["section"] == "Everything else" and "sigmoid_backward: reference" in rest["checks"]
    assert [r["section"] for r in summary["regimes"]].count("Exploding gradients in RNNs") == 2


def test_every_regime_in_the_table_names_a_real_check() -> None:
    """The table is keyed by check ids of spec.py: a renamed check would silently fall to "everything else"."""
    real = {(f.name, c.id) for f in FUNCTIONS for c in f.checks}
    for check in class_report.REGIMES:
        assert any(check == c for _, c in real), check
    assert regime_of("relu_backward", "gradient_check") == class_report.EVERYTHING_ELSE
    assert regime_of("huber_loss", "beyond_delta") == ("Spotted in the wild: DQN clipping", "beyond delta: huber_loss")


def test_complete_only_with_the_whole_classs_gradebook(tmp_path: Path) -> None:
    stopped = write_class(tmp_path / "stopped", {"ann": {}, "bob": DEAD}, book=INCOMPLETE)
    assert class_summary(stopped, CATALOGUE)["complete"] is False
    (stopped / "cy").mkdir()
    (stopped / "cy" / "results.json").write_text(json.dumps({"score": 0.0, "tests": []}))  # the grader failed
    (stopped / "dee").mkdir()
    (stopped / "dee" / "results.json").write_text('{"score": ')  # cut short
    summary = class_summary(stopped, CATALOGUE)
    assert summary["students"] == 2 and summary["unreadable"] == ["cy", "dee"]
    whole = write_class(tmp_path / "whole", {"ann": {}})
    assert class_summary(whole, CATALOGUE)["complete"] is True
    (whole / GRADEBOOK).unlink()  # nbgrader's folder: no gradebook, so not known to be whole
    assert class_summary(whole, CATALOGUE)["complete"] is False


def test_the_command_writes_both_files(graded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["class-report", str(graded)]) == 0
    line = capsys.readouterr().out
    assert "2 known mistakes" in line and "5 students (the whole class)" in line
    written = json.loads((graded / CLASS_JSON).read_text())
    assert {"students", "complete", "functions", "mistakes", "similar", "scores", "regimes"} <= set(written)
    assert written == class_summary(graded, CATALOGUE)
    page = (graded / CLASS_HTML).read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 3
    assert cli.main(["class-report", str(graded / "nobody")]) == 2


def _parsed(page: str) -> KitMarkup:
    markup = KitMarkup()
    markup.feed(page)
    markup.close()
    assert set(markup.tags) <= PAGE_TAGS, set(markup.tags) - PAGE_TAGS
    assert markup.other == [] and not re.search(r"<\s*/?\s*script", page, re.IGNORECASE)
    assert hidden_characters(page) == []
    for name, value in markup.attributes:
        assert name in {"lang", "charset", "name", "content", "class", "src", "alt"}, name
        if name == "src":
            assert re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", value)
    return markup


def test_hostile_student_ids_show_as_text(tmp_path: Path) -> None:
    """Student ids are folder names a student chose: in the page they are text, never markup."""
    graded = write_class(tmp_path / "graded", {name: SATURATED for name in HOSTILE} | {"ok": {}})

    def similar(_: Path) -> list[dict[str, Any]]:
        return [{"students": list(HOSTILE[:2]), "evidence": ["layers.py: <b>same</b> 40 lines",
                                                              {"kind": "code", "function": "relu_backward",
                                                               "text": "the same <i>rare</i> line"}]}]

    summary = write_class_report(graded, CATALOGUE, similar)
    assert summary["similar"][0]["students"] == list(HOSTILE[:2])
    page = (graded / CLASS_HTML).read_text()
    text = "".join(_parsed(page).text)
    for name in HOSTILE[:3]:
        assert name in text
    assert "gpj.exe" in text and "\u202e" not in page  # the right-to-left override is taken out
    assert "<b>same</b> 40 lines" in text and "relu_backward: the same <i>rare</i> line" in text
    assert "For human review only, never a penalty." in text


def test_the_page_of_an_empty_folder(tmp_path: Path) -> None:
    summary = class_summary(tmp_path, CATALOGUE)
    assert summary["students"] == 0 and summary["functions"] == [] and summary["scores"]["mean"] is None
    text = "".join(_parsed(render_class_page(summary)).text)
    assert "mean score of 0 students" in text and "No wrong answer matched a known mistake." in text


def test_grade_all_keeps_its_exit_status_when_the_class_report_fails(tmp_path: Path, monkeypatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "submissions").mkdir()

    def graded(*args, **kwargs) -> batch.BatchResult:
        return batch.BatchResult(graded=["ann"], students=1, gradebook=tmp_path / "out" / GRADEBOOK, rows=1)

    def broken(out: Path, reference: Path) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(batch, "grade_all", graded)
    monkeypatch.setattr(batch, "class_report", broken)
    assert cli.main(["grade-all", str(tmp_path / "submissions"), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["class report not written: OSError: No space left on device"]


OWNER = {"dw": "affine_backward", "relu": "relu_backward", "right": None}  # whose function each student broke


@pytest.mark.e2e
def test_grade_all_ends_with_the_class_report_of_its_planted_mistakes(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """3 students with a transposed dw, 2 with an inverted ReLU mask, 4 right: those counts, those students."""
    buggy = CORPUS / "buggy"
    planted = {**{f"dw{n}": [buggy / "affine_dw_transposed.py"] for n in range(3)},
               **{f"relu{n}": [buggy / "relu_inverted_mask.py"] for n in range(2)},
               **{f"right{n}": [] for n in range(4)}}
    submissions = tmp_path / "submissions"
    for student, mistakes in planted.items():
        build_submission(submissions / student, *mistakes)
    out = tmp_path / "graded"
    assert cli.main(["grade-all", str(submissions), "--out", str(out), "-j", "2", "--time-limit", "5"]) == 0
    assert "class report: " in capsys.readouterr().out
    summary = json.loads((out / CLASS_JSON).read_text())
    assert summary["students"] == 9 and summary["complete"] is True
    ranked = {m["id"]: m for m in summary["mistakes"]}
    assert summary["mistakes"][0] == {"id": "affine_dw_transposed", "function": "affine_backward",
                                      "text": EXPLANATION["affine_dw_transposed"], "students": ["dw0", "dw1", "dw2"]}
    assert summary["mistakes"][1] == ranked["relu_inverted_mask"] == {
        "id": "relu_inverted_mask", "function": "relu_backward", "text": EXPLANATION["relu_inverted_mask"],
        "students": ["relu0", "relu1"]}
    # A wrong answer may also match a neighbouring mistake on some case: only ever the planter's, and fewer.
    for mistake in summary["mistakes"][2:]:
        assert len(mistake["students"]) <= 2, mistake
        assert all(OWNER[s.rstrip("0123456789")] == mistake["function"] for s in mistake["students"]), mistake
    statuses = {student: {tuple(t["tags"]): t["status"] for t in json.loads((out / student / "results.json")
                                                                         .read_text())["tests"]}
                for student in planted}
    for function in summary["functions"]:
        for check in function["checks"]:
            failed = [s for s in planted if statuses[s][(function["function"], check["check"])] != "passed"]
            assert check["pass_rate"] == round(1 - len(failed) / 9, 4), (function["function"], check)
            assert all(OWNER[s.rstrip("0123456789")] == function["function"] for s in failed), (check, failed)
    assert _rate(summary, "relu_backward", "dead_units") == round(7 / 9, 4)
    assert _regime(summary, "dead units")["pass_rate"] < 1
    _parsed((out / CLASS_HTML).read_text())
