"""``export``: the class's totals in Canvas's and Moodle's gradebook import formats, through a roster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder import cli
from autograder.outputs.lms_export import export_grades


def _graded(root: Path) -> Path:
    """ada 84, bob 100, =cmd 12.5 (an id a student chose), zed 40 (not in the roster)."""
    graded = root / "graded"
    for student, score in (("ada", 84.0), ("bob", 100.0), ("=cmd", 12.5), ("zed", 40.0)):
        (graded / student).mkdir(parents=True)
        test = {"name": "relu_backward: x", "score": score, "max_score": 100.0, "status": "failed", "output": "",
                "tags": ["relu_backward", "reference"]}
        (graded / student / "results.json").write_text(json.dumps({"score": score, "tests": [test]}))
    return graded


def _roster(root: Path) -> Path:
    """ada and bob; =cmd with a name and a section that look like formulas; cy, who has no grade; dan,
    graded nowhere either; bob again."""
    roster = root / "roster.csv"
    roster.write_text(
        "\ufeffstudent,name,canvas_id,sis_user_id,sis_login_id,section,email\n"
        'ada,"Lovelace, Ada",101,S-1,ada1,Section 1,ada@uni.edu\n'
        "bob,Bob Babbage,102,S-2,bob2,Section 2,bob@uni.edu\n"
        "=cmd,=HYPERLINK(\"x\"),103,S-3,cmd3,@SUM(1),+cmd@uni.edu\n"
        "cy,Cy Young,104,S-4,cy4,Section 1,cy@uni.edu\n"
        "bob,Bob Again,105,S-5,bob5,Section 2,bob5@uni.edu\n", encoding="utf-8")
    return roster


def test_canvas_columns_are_canvas_importers_in_its_order(tmp_path: Path) -> None:
    done = export_grades(_graded(tmp_path), _roster(tmp_path), "canvas", "Backprop", "12345")
    assert done.text == (
        "Student,ID,SIS User ID,SIS Login ID,Section,Backprop (12345)\n"
        '"Lovelace, Ada",101,S-1,ada1,Section 1,84\n'
        "Bob Babbage,102,S-2,bob2,Section 2,100\n"
        "\"'=HYPERLINK(\"\"x\"\")\",103,S-3,cmd3,'@SUM(1),12.5\n")
    assert done.rows == 3
    assert done.messages == [
        f"no grade: cy is in the roster but has no result in {tmp_path / 'graded'} (no row written)",
        "listed twice in the roster: bob (the first row is used)",
        "not in the roster: zed was graded but has no roster row (no row written)"]


def test_moodle_has_the_identifier_moodle_maps_from_then_the_grade_item(tmp_path: Path) -> None:
    done = export_grades(_graded(tmp_path), _roster(tmp_path), "moodle", "Backprop")
    assert done.text == ("Email address,Backprop\n"
                         "ada@uni.edu,84\n"
                         "bob@uni.edu,100\n"
                         "'+cmd@uni.edu,12.5\n")
    assert len(done.messages) == 3


def test_a_row_without_the_identifier_costs_only_that_row(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student,idnumber\nada,2025001\nbob,\n")
    done = export_grades(_graded(tmp_path), roster, "moodle", "Backprop")
    assert done.text == "ID number,Backprop\n2025001,84\n"
    assert done.messages[0] == "no Moodle idnumber for bob in the roster (no row written)"


@pytest.mark.parametrize(("header", "fmt", "why"), [
    ("name,email", "canvas", "has no 'student' column"),
    ("student,section", "canvas", "has none of the columns Canvas finds a student by"),
    ("student,name", "moodle", "has no column Moodle identifies users by")])
def test_a_roster_that_cannot_be_used_exits_2(tmp_path: Path, header: str, fmt: str, why: str,
                                              capsys: pytest.CaptureFixture) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{header}\nada,x\n")
    assert cli.main(["export", str(_graded(tmp_path)), "--format", fmt, "--roster", str(roster)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and why in error


def test_the_command_writes_the_file_and_lists_each_row_left_out(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    graded = _graded(tmp_path)
    assert cli.main(["export", str(graded), "--format", "moodle", "--roster", str(_roster(tmp_path))]) == 0
    assert (graded / "moodle.csv").read_text().startswith("Email address,Backprop\n")
    out, err = capsys.readouterr()
    assert out == (f"wrote {graded / 'moodle.csv'}: 3 students, for Moodle's gradebook import "
                   "(3 rows left out, listed above)\n")
    assert err.count("\n") == 3 and "not in the roster: zed" in err


def test_a_folder_where_the_file_goes_exits_2_and_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A student's folder named moodle.csv, graded before grade-all kept that name for export's file."""
    graded = _graded(tmp_path)
    (graded / "moodle.csv").mkdir()
    assert cli.main(["export", str(graded), "--format", "moodle", "--roster", str(_roster(tmp_path))]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is a folder: say which file to write with --out" in error
    assert sorted(path.name for path in graded.iterdir()) == ["=cmd", "ada", "bob", "moodle.csv", "zed"]
