"""``diff OLD_GRADED NEW_GRADED``: whose scores moved between two grade-all runs, on which checks, and why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, build_submission, corpus_entry

from autograder import DEFAULT_REFERENCE, KIT_ROOT, cli
from autograder.outputs.regrade_diff import diff_graded, render_diff


def _test(function: str, check: str, score: float, most: float, output: str = "") -> dict:
    return {"name": f"{function}: the {check} check", "score": score, "max_score": most,
            "status": "passed" if score == most else "failed", "output": output,
            "tags": [function, check], "extra_data": {"mistakes": []}}


def _write(graded: Path, student: str, *tests: dict) -> None:
    (graded / student).mkdir(parents=True, exist_ok=True)
    results = {"score": sum(t["score"] for t in tests), "tests": list(tests), "extra_data": {"seed": 1}}
    (graded / student / "results.json").write_text(json.dumps(results))


def _class(root: Path) -> tuple[Path, Path]:
    """ada gains a check; bob is the same (his tests listed in another order); cy loses a check that was
    removed; dee is new; eve is gone; fay's unreadable results.json counts as not graded."""
    old, new = root / "old", root / "new"
    _write(old, "ada", _test("affine_backward", "square_weights", 0, 3, "dw is wrong at [0, 1]"),
           _test("relu_backward", "reference", 2, 2))
    _write(new, "ada", _test("affine_backward", "square_weights", 3, 3), _test("relu_backward", "reference", 2, 2))
    _write(old, "bob", _test("affine_backward", "square_weights", 3, 3), _test("relu_backward", "reference", 0, 2))
    _write(new, "bob", _test("relu_backward", "reference", 0, 2), _test("affine_backward", "square_weights", 3, 3))
    _write(old, "cy", _test("affine_backward", "square_weights", 3, 3), _test("tanh_backward", "saturation", 3, 3))
    _write(new, "cy", _test("affine_backward", "square_weights", 3, 3))
    _write(new, "dee", _test("affine_backward", "square_weights", 3, 3))
    _write(old, "eve", _test("affine_backward", "square_weights", 1, 3))
    (old / "fay").mkdir()
    (old / "fay" / "results.json").write_text('{"score": 3, "tests": [')
    return old, new


def test_checks_are_matched_by_tags_and_each_change_says_why(tmp_path: Path) -> None:
    report = diff_graded(*_class(tmp_path))
    assert report["unchanged"] == 1  # bob, whose tests came in another order
    assert [s["student"] for s in report["changed"]] == ["ada", "cy"]
    ada, cy = report["changed"]
    assert (ada["old"], ada["new"]) == (2, 5)
    assert ada["checks"] == [{"function": "affine_backward", "check": "square_weights", "old": 0, "new": 3,
                              "old_status": "failed", "new_status": "passed",
                              "old_output": "dw is wrong at [0, 1]", "new_output": "", "old_max": 3, "new_max": 3}]
    assert cy["checks"] == [{"function": "tanh_backward", "check": "saturation", "old": 3, "new": None,
                             "old_status": "passed", "new_status": None, "old_output": "", "new_output": None,
                             "old_max": 3, "new_max": None}]
    assert report["added"] == [{"student": "dee", "new": 3}]
    assert report["missing"] == [{"student": "eve", "old": 1}]
    assert report["max_score"] == {"old": 6, "new": 5}


def test_the_text_is_one_line_per_student_then_the_counts(tmp_path: Path) -> None:
    assert render_diff(diff_graded(*_class(tmp_path))).splitlines() == [
        "ada: 2 -> 5 (+3): affine_backward square_weights 0/3 -> 3/3",
        "cy: 6 -> 3 (-3): tanh_backward saturation removed (was 3/3)",
        "dee: only in the new run, 3",
        "eve: only in the old run (was 1)",
        "2 of 3 students changed; 1 unchanged; 1 only in the new run, 1 only in the old; most points 6 -> 5"]


def test_an_added_check_and_a_repriced_one(tmp_path: Path) -> None:
    """Points changed on a check a student failed: not a change of that student; a new check is."""
    old, new = tmp_path / "old", tmp_path / "new"
    _write(old, "ada", _test("svm_loss", "reference", 0, 3))
    _write(new, "ada", _test("svm_loss", "reference", 0, 5))
    _write(old, "bob", _test("svm_loss", "reference", 3, 3))
    _write(new, "bob", _test("svm_loss", "reference", 5, 5), _test("svm_loss", "margins", 1, 1))
    report = diff_graded(old, new)
    assert report["unchanged"] == 1
    assert render_diff(report).splitlines() == [
        "bob: 3 -> 6 (+3): svm_loss reference 3/3 -> 5/5, svm_loss margins added 1/1",
        "1 of 2 students changed; 1 unchanged; most points 3 -> 6"]


def test_the_command_writes_the_contract_json_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    old, new = _class(tmp_path)
    out = tmp_path / "diff.json"
    assert cli.main(["diff", str(old), str(new), "--json", str(out)]) == 0
    written = json.loads(out.read_text())
    assert {"changed", "unchanged"} <= written.keys() and written["unchanged"] == 1
    assert set(written["changed"][0]) == {"student", "old", "new", "checks"}
    assert {"function", "check", "old", "new", "old_status", "new_status", "old_output",
            "new_output"} <= written["changed"][0]["checks"][0].keys()
    assert capsys.readouterr().out.startswith("ada: 2 -> 5 (+3)")


@pytest.mark.parametrize("bad", ["missing", "file", "empty"])
def test_a_folder_that_is_not_graded_exits_2_with_one_line(tmp_path: Path, bad: str,
                                                            capsys: pytest.CaptureFixture) -> None:
    old, _ = _class(tmp_path)
    target = tmp_path / bad
    if bad == "file":
        target.write_text("")
    if bad == "empty":
        (target / "ada").mkdir(parents=True)
    assert cli.main(["diff", str(old), str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"error: {target} is not a")


@pytest.mark.e2e  # grade-all twice over a small class
def test_a_repriced_check_changes_exactly_the_students_who_pass_it(tmp_path: Path) -> None:
    """The second run grades the same class under the same secret against a reference whose rubric gives
    affine_backward's square_weights 5 points instead of 3: the diff lists exactly those who pass it."""
    buggy = sorted((CORPUS / "buggy").glob("affine_*.py"))[:3] + sorted((CORPUS / "buggy").glob("relu_*.py"))[:2]
    submissions = tmp_path / "submissions"
    build_submission(submissions / "reference")
    for path in buggy:
        build_submission(submissions / path.stem, path)
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE, reference)
    rubric = reference / "rubric.toml"
    before = "[affine_backward]\ngradient_check = 3\nreference = 3\nsquare_weights = 3\n"
    assert before in rubric.read_text()
    rubric.write_text(rubric.read_text().replace(before, before.replace("square_weights = 3", "square_weights = 5")))
    secret = tmp_path / "secret"
    secret.write_text("the same secret for both runs\n")
    secret.chmod(0o600)

    def grade_all(out: Path, *options: str) -> None:
        done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                               "--secret", str(secret), "-j", "1", *options], cwd=KIT_ROOT, capture_output=True,
                              text=True, timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr

    grade_all(tmp_path / "old")
    grade_all(tmp_path / "new", "--reference", str(reference))
    old = json.loads((tmp_path / "old" / "reference" / "results.json").read_text())
    check = next(t for t in old["tests"] if t["tags"] == ["affine_backward", "square_weights"])
    assert {"score", "max_score", "status", "output", "tags"} <= check.keys()  # what diff reads, kept by grade-all

    passed = set()
    for student in ["reference", *(path.stem for path in buggy)]:
        tests = json.loads((tmp_path / "old" / student / "results.json").read_text())["tests"]
        if next(t for t in tests if t["tags"] == ["affine_backward", "square_weights"])["status"] == "passed":
            passed.add(student)
    assert "reference" in passed and len(passed) < len(buggy) + 1, "the class should both pass and fail it"
    assert all(corpus_entry(path)["TARGET"] == "layers" for path in buggy)

    out = tmp_path / "diff.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "diff", str(tmp_path / "old"), str(tmp_path / "new"),
                           "--json", str(out)], cwd=KIT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert {s["student"] for s in report["changed"]} == passed
    assert report["unchanged"] == len(buggy) + 1 - len(passed)
    for student in report["changed"]:
        assert student["new"] - student["old"] == 2
        assert [(c["function"], c["check"], c["old"], c["new"]) for c in student["checks"]] == [
            ("affine_backward", "square_weights", 3, 5)]
    assert f"{len(passed)} of {len(buggy) + 1} students changed" in done.stdout
