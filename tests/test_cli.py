"""The grader CLI contract: results.json in Gradescope format, names, exit codes, seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import build_submission

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE, EXAMPLES, KIT_ROOT, cli
from autograder.core.spec import FUNCTIONS

TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "output_format", "tags", "visibility",
               "extra_data"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=300)


def test_grade_writes_gradescope_results_with_function_names(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    process = _run("grade", str(DEFAULT_REFERENCE), "--json", str(out), "--seed", "11")
    assert process.returncode == 0, process.stderr
    results = json.loads(out.read_text())
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    assert results["extra_data"]["seed"] == 11
    names = {f.name for f in FUNCTIONS}
    for test in results["tests"]:
        assert set(test) == TEST_FIELDS
        assert test["name"].split(":")[0] in names
        assert test["status"] == "passed"
    assert {t["name"].split(":")[0] for t in results["tests"]} == names
    assert "seed 11" in process.stdout


def test_untouched_release_scores_zero_and_exits_zero(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    process = _run("grade", str(DEFAULT_RELEASE), "--json", str(out))
    assert process.returncode == 0, process.stderr
    results = json.loads(out.read_text())
    assert results["score"] == 0
    assert all(t["status"] == "failed" and "not implemented yet" in t["output"] for t in results["tests"])
    assert "Traceback" not in process.stdout


def test_grade_writes_the_students_html_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from autograder import cli

    page = tmp_path / "report.html"
    assert cli.main(["grade", str(EXAMPLES / "three_classic_slips"), "--seed", "4", "--html", str(page)]) == 0
    printed = capsys.readouterr().out
    assert "seed 4" in printed  # the TA's report on the terminal
    score = next(line for line in printed.splitlines() if line.startswith("Score: ")).split()[1:4]
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and f'<p class="bk-score">{" ".join(score)} ' in html
    assert "Graded on hidden cases drawn for you" in html and "seed 4" not in html and "<svg" in html


@pytest.mark.e2e  # two whole grades through the CLI
def test_a_fresh_seed_is_drawn_and_recorded_without_seed(tmp_path: Path) -> None:
    seeds = set()
    for run in range(2):
        out = tmp_path / f"r{run}.json"
        assert _run("grade", str(DEFAULT_REFERENCE), "--json", str(out)).returncode == 0
        seeds.add(json.loads(out.read_text())["extra_data"]["seed"])
    assert len(seeds) == 2


@pytest.mark.e2e  # two whole grades through the CLI
def test_same_seed_same_results(tmp_path: Path) -> None:
    fixture = EXAMPLES / "three_classic_slips"
    outputs = []
    for run in range(2):
        out = tmp_path / f"r{run}.json"
        assert _run("grade", str(fixture), "--json", str(out), "--seed", "5").returncode == 0
        result = json.loads(out.read_text())
        outputs.append([(t["name"], t["score"], t["output"]) for t in result["tests"]])
    assert outputs[0] == outputs[1]


def test_grader_errors_exit_nonzero(tmp_path: Path) -> None:
    assert _run("grade", str(tmp_path / "nowhere")).returncode == 2
    assert _run("grade", str(DEFAULT_REFERENCE), "--reference", str(tmp_path)).returncode == 2
    assert _run("grade").returncode == 2  # argparse: missing SUBMISSION_DIR


def test_broken_rubric_is_refused_with_the_reason(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("layers.py", "rnn_layers.py"):
        (reference / name).write_text((DEFAULT_REFERENCE / name).read_text())
    rubric = (DEFAULT_REFERENCE / "rubric.toml").read_text()
    (reference / "rubric.toml").write_text(rubric.replace("square_weights = 3", "square_weight = 3"))
    process = _run("grade", str(DEFAULT_REFERENCE), "--reference", str(reference))
    assert process.returncode == 2
    assert "has no points for 'square_weights'" in process.stderr
    assert "'square_weight' is not one of its checks" in process.stderr


@pytest.mark.e2e  # the demo: every example graded
def test_demo_grades_every_example(tmp_path: Path) -> None:
    process = _run("demo", "--seed", "4")
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr
    assert "the reference solution" in process.stdout and "100 / 100" in process.stdout
    assert "the untouched student release" in process.stdout
    assert "looks like:" in process.stdout


@pytest.mark.e2e  # grade and grade-all of the same student
def test_grade_json_and_grade_all_write_the_same_results(tmp_path: Path) -> None:
    """A check the rubric hides is hidden in ``grade --json`` as in grade-all's results.json."""
    import shutil

    from autograder import cli

    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE, reference)
    rubric = reference / "rubric.toml"
    rubric.write_text(rubric.read_text().replace("exploding = 3", 'exploding = { points = 3, visibility = "hidden" }'))
    students = tmp_path / "students"
    shutil.copytree(EXAMPLES / "three_classic_slips", students / "slips")
    single = tmp_path / "single.json"
    assert cli.main(["grade", str(students / "slips"), "--reference", str(reference), "--json", str(single),
                     "--seed", "4"]) == 0
    alone = json.loads(single.read_text())
    seed = alone["extra_data"]["seed"]
    hidden = [test["name"] for test in alone["tests"] if test["visibility"] == "hidden"]
    assert hidden == ["rnn_backward: BPTT over 25+ steps with spectral radius of Wh above 1"]
    assert cli.main(["grade-all", str(students), "--out", str(tmp_path / "out"), "--reference", str(reference),
                     "-j", "1"]) == 0
    batch = json.loads((tmp_path / "out" / "slips" / "results.json").read_text())
    assert [t["visibility"] for t in batch["tests"]] == [t["visibility"] for t in alone["tests"]]
    assert seed == 4


@pytest.mark.e2e  # real nbgrader, imported from the shell and in-process (seconds each)
def test_seed_prints_the_seed_nbgrader_autograde_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("nbgrader")
    from autograder.integrations.seeds import SECRET_NAME, course_seed

    course = tmp_path / "course"
    for student in ("ada", "bob"):
        build_submission(course / "submitted" / student / "backprop")
    shown = _run("seed", "ada", "--course", str(course))  # as a TA runs it; the others in this process
    assert shown.returncode == 0, shown.stderr
    secret = course / SECRET_NAME  # beside the course's default gradebook, course/gradebook.db
    assert secret.is_file()
    assert int(shown.stdout) == course_seed(secret, "backprop", "ada", course / "submitted" / "ada" / "backprop")
    assert cli.main(["seed", "bob", "--course", str(course)]) == 0
    assert int(capsys.readouterr().out) != int(shown.stdout)
    assert cli.main(["seed", "carl", "--course", str(course)]) == 2  # no submission: no seed yet
    assert "carl has no submission of backprop" in capsys.readouterr().err


def test_seed_refuses_a_course_that_is_no_folder(tmp_path: Path) -> None:
    shown = _run("seed", "ada", "--course", str(tmp_path / "missing"))
    assert shown.returncode == 2
    assert shown.stderr == f"error: {tmp_path / 'missing'} is not a folder\n"


def _without_times(text: str) -> str:
    import re
    return re.sub(r"\((?:graded|chấm) (?:in|trong) [0-9.]+ s\)", "(…)", text)


@pytest.mark.e2e  # three whole grades through the CLI
def test_lang_flag_backprop_lang_and_the_locale_choose_alike(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    for variable in ("BACKPROP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    arguments = ["grade", str(EXAMPLES / "three_classic_slips"), "--seed", "3", "--for", "student"]
    shown = []
    for extra, environ in (["--lang", "vi"], {}), ([], {"BACKPROP_LANG": "vi"}), ([], {"LC_ALL": "vi_VN.UTF-8"}):
        with monkeypatch.context() as scoped:
            for variable, value in environ.items():
                scoped.setenv(variable, value)
            assert cli.main([*arguments, *extra]) == 0
        shown.append(_without_times(capsys.readouterr().out))
    assert shown[0] == shown[1] == shown[2]
    assert shown[0].startswith("Chấm trên các trường hợp ẩn riêng của bạn")
    assert cli.main(arguments) == 0  # no flag, no variable, no locale: English
    assert capsys.readouterr().out.startswith("Graded on hidden cases drawn for you")


@pytest.mark.parametrize("argv, environ", [
    (["--lang", "xx"], {}), (["--lang", "fr_FR"], {}), ([], {"BACKPROP_LANG": "klingon"})])
def test_an_unknown_language_is_one_line_exit_2_and_nothing_graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str], argv: list[str],
                                                                   environ: dict[str, str]) -> None:
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    out = tmp_path / "results.json"
    assert cli.main(["grade", str(DEFAULT_REFERENCE), "--json", str(out), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists()
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert "the kit speaks en, vi" in captured.err
    assert cli.main(["grade-all", str(tmp_path), "--out", str(tmp_path / "graded"), *argv]) == 2
    assert not (tmp_path / "graded").exists()


@pytest.mark.e2e  # grade-all of one student
def test_grade_all_writes_every_report_in_the_language_asked(tmp_path: Path) -> None:
    import shutil
    shutil.copytree(EXAMPLES / "three_classic_slips", tmp_path / "subs" / "ada")
    process = _run("grade-all", str(tmp_path / "subs"), "--out", str(tmp_path / "graded"), "-j", "2", "--lang", "vi")
    assert process.returncode == 0, process.stderr
    student = tmp_path / "graded" / "ada"
    assert (student / "report.txt").read_text().startswith("Chấm trên các trường hợp ẩn riêng của bạn")
    assert '<html lang="vi">' in (student / "report.html").read_text()
    results = json.loads((student / "results.json").read_text())
    assert results["output"].startswith("Chấm trên") and any("trường hợp" in t["output"] for t in results["tests"])


def test_one_grade_from_the_shell_prints_its_whole_report_and_leaves_no_folder(tmp_path: Path) -> None:
    # ``grade`` ends without the interpreter's teardown (``__main__._end_now``): what it printed and
    # every scratch folder of its children must be done by then.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(DEFAULT_REFERENCE), "--seed", "3"],
                          cwd=KIT_ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("\n") and "clip_grad_norm" in done.stdout.splitlines()[-1]
    assert list(scratch.iterdir()) == []


END_NOW = """
import atexit, sys, threading, time
from pathlib import Path
from autograder.__main__ import _end_now
atexit.register(lambda: Path(sys.argv[1], "exit-handler").write_text("ran"))
if sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), Path(sys.argv[1], "thread").write_text("ran"))).start()
sys.stdout.write("buffered, not flushed")
_end_now(3)
sys.stdout.write(" | the usual way")
sys.exit(4)
"""


@pytest.mark.parametrize("other", ["alone", "thread"])
def test_ending_at_once_keeps_the_output_and_the_exit_handlers_or_ends_the_usual_way(tmp_path: Path,
                                                                                      other: str) -> None:
    done = subprocess.run([sys.executable, "-c", END_NOW, str(tmp_path), other], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert (tmp_path / "exit-handler").read_text() == "ran"
    if other == "alone":
        assert (done.returncode, done.stdout) == (3, "buffered, not flushed")
    else:  # another thread may still be writing: the process waits for it, as Python always does
        assert (done.returncode, done.stdout) == (4, "buffered, not flushed | the usual way")
        assert (tmp_path / "thread").read_text() == "ran"
