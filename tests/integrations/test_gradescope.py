"""The Gradescope autograder: the zip, and run_autograder in a folder laid out like Gradescope's."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from helpers import build_submission
from packaging.requirements import Requirement

from autograder import DEFAULT_REFERENCE, EXAMPLES, KIT_ROOT
from autograder.course.release import locked_versions
from autograder.grading.grade import GraderError, grade
from autograder.grading.reference import REFERENCE_FILES
from autograder.grading.rubric import RubricError, load_rubric
from autograder.integrations.gradescope import build_bundle, find_submission
from autograder.sandbox import host

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "visibility", "stdout_visibility",
             "extra_data", "tests", "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "number", "output", "output_format", "tags",
               "visibility", "extra_data"}


def assert_valid(results: dict) -> None:
    """Gradescope's results.json format (/work/shared/FACTS.md, Gradescope's autograder specification)."""
    assert set(results) <= TOP_LEVEL
    assert isinstance(results["score"], float | int) and "tests" in results
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "visible") in VISIBILITIES
    assert results.get("output_format", "text") in {"text", "html", "simple_format", "md", "ansi"}
    for test in results["tests"]:
        assert set(test) <= TEST_FIELDS
        assert test["status"] in {"passed", "failed"} and test["visibility"] in VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["name"], str) and all(isinstance(tag, str) for tag in test["tags"])
    if results["tests"]:
        assert results["score"] == sum(test["score"] for test in results["tests"])


def _lay_out(tmp_path: Path, reference: Path = DEFAULT_REFERENCE) -> Path:
    """ROOT/source (the unzipped bundle) and ROOT/run_autograder, as Gradescope sets them up."""
    root = tmp_path / "autograder"
    bundle = tmp_path / "autograder.zip"
    build_bundle(bundle, reference)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    return root


def _run_autograder(root: Path, path: str | None = None, **variables: str) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**os.environ, "GRADESCOPE_ROOT": str(root), "GRADESCOPE_PYTHON": sys.executable, **variables}
    if host.UNSAFE_OPT_IN not in variables:  # the test's own environment must not opt in for it
        env.pop(host.UNSAFE_OPT_IN, None)
    if path is not None:
        env["PATH"] = path
    process = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                             timeout=300, stdin=subprocess.DEVNULL)
    results = json.loads((root / "results" / "results.json").read_text())
    assert_valid(results)
    return process, results


def _upload(root: Path, source: Path, inside: str = "") -> None:
    folder = root / "submission" / inside
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layers.py", "rnn_layers.py"):
        shutil.copyfile(source / name, folder / name)


def test_the_bundle_holds_the_scripts_the_kit_and_the_reference(tmp_path: Path) -> None:
    names = build_bundle(tmp_path / "one.zip")
    build_bundle(tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()  # reproducible
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        assert archive.namelist() == names
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().splitlines()
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {f"reference/{name}" for name in REFERENCE_FILES} <= set(names)
    assert {"kit/autograder/__init__.py", "kit/autograder/integrations/gradescope.py",
            "kit/autograder/sandbox/child.py"} <= set(names)
    assert all(name.startswith(("kit/autograder/", "reference/")) or "/" not in name for name in names)
    project = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text())["project"]
    ranges = [Requirement(line) for line in project["dependencies"]]
    locked = locked_versions()
    bundled = {requirement.name: requirement for requirement in map(Requirement, requirements)}
    assert list(bundled) == [wanted.name for wanted in ranges]
    for wanted in ranges:  # the lock's exact version, inside pyproject's range, with pyproject's marker
        assert str(bundled[wanted.name].specifier) == f"=={locked[wanted.name]}"
        assert wanted.specifier.contains(locked[wanted.name])
        assert bundled[wanted.name].marker == wanted.marker


@pytest.mark.e2e  # runs Gradescope's run_autograder
def test_run_autograder_grades_an_upload_like_the_cli(tmp_path: Path) -> None:
    root = _lay_out(tmp_path)
    _upload(root, EXAMPLES / "three_classic_slips", inside="backprop")  # a zipped folder
    process, results = _run_autograder(root)
    assert process.returncode == 0, process.stderr
    assert 'Graded the files in the folder "backprop" of your upload.' in results["output"]
    assert f"kit in {root / 'source' / 'kit' / 'autograder'}" in process.stdout  # the bundled kit, not this one
    # The seed is in the run's log, which students do not see, and nowhere in what they can read.
    seed = int(re.search(r"Hidden cases drawn with seed (\d+)", process.stdout).group(1))
    assert "seed" not in results["extra_data"] and str(seed) not in json.dumps(results)
    expected = grade(EXAMPLES / "three_classic_slips", DEFAULT_REFERENCE, seed)
    assert results["score"] == expected.score < 100
    assert [(t["name"], t["score"]) for t in results["tests"]] == [(r.name, r.points) for r in expected.results]
    assert {t["visibility"] for t in results["tests"]} == {"visible"}
    assert (root / "source" / "reference").stat().st_mode & 0o077 == 0  # private to root before any grading


@pytest.mark.e2e  # runs Gradescope's run_autograder
def test_checks_marked_in_the_rubric_keep_their_visibility(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE, reference, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    rubric = (reference / "rubric.toml").read_text()
    rubric = rubric.replace("exploding = 3", 'exploding = { points = 3, visibility = "hidden" }')
    rubric = rubric.replace("saturation = 3", 'saturation = { points = 3, visibility = "after_due_date" }', 1)
    (reference / "rubric.toml").write_text(rubric)
    assert load_rubric(reference).points == load_rubric(DEFAULT_REFERENCE).points

    root = _lay_out(tmp_path, reference)
    build_submission(root / "submission")
    _, results = _run_autograder(root)
    seen = {tuple(t["tags"]): t["visibility"] for t in results["tests"]}
    assert seen.pop(("rnn_backward", "exploding")) == "hidden"
    assert seen.pop(("sigmoid_backward", "saturation")) == "after_due_date"
    assert set(seen.values()) == {"visible"}
    assert results["score"] == 100


def test_the_rubric_refuses_a_bad_visibility_or_key(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_REFERENCE, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.ipynb"))
    rubric = (DEFAULT_REFERENCE / "rubric.toml").read_text()
    for entry, problem in (('{ points = 3, visibility = "secret" }', "visibility must be one of"),
                           ("{ points = 3, hidden = true }", "unknown key 'hidden'"),
                           ('{ visibility = "hidden" }', "must be a number")):
        (tmp_path / "rubric.toml").write_text(rubric.replace("exploding = 3", f"exploding = {entry}"))
        with pytest.raises(RubricError, match=problem):
            load_rubric(tmp_path)


@pytest.mark.e2e  # runs Gradescope's run_autograder
def test_without_namespaces_it_refuses_and_says_what_is_missing(tmp_path: Path) -> None:
    root = _lay_out(tmp_path)
    build_submission(root / "submission")
    empty = tmp_path / "bin"  # a PATH without unshare and setpriv, as in a container without util-linux
    empty.mkdir()
    process, results = _run_autograder(root, path=str(empty))
    assert process.returncode == 1
    assert results["score"] == 0 and results["tests"] == []
    assert "install util-linux" in results["output"], results["output"]
    process, results = _run_autograder(root, path=str(empty), **{host.UNSAFE_OPT_IN: "1"})
    assert process.returncode == 0, process.stderr
    assert results["score"] == 100
    assert results["extra_data"]["sandbox"].startswith("sandbox: REDUCED PROTECTION: ")
    assert "process tree ✗" in results["extra_data"]["sandbox"]


def test_without_landlock_it_refuses_unless_opted_in(monkeypatch: pytest.MonkeyPatch) -> None:
    landlockpy = pytest.importorskip("landlockpy")

    def refused() -> int:  # what a seccomp filter that does not know Landlock answers
        raise landlockpy.LandlockError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(landlockpy._syscall, "abi_version", refused)
    degraded = host.probe.__wrapped__()
    monkeypatch.setattr(host, "current", lambda: degraded)
    monkeypatch.delenv(host.UNSAFE_OPT_IN, raising=False)
    with pytest.raises(GraderError, match=r"a kernel with Landlock"):
        grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, seed=4)
    monkeypatch.setenv(host.UNSAFE_OPT_IN, "1")
    result = grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, seed=4)
    assert result.score == 100
    assert result.sandbox.startswith("sandbox: REDUCED PROTECTION: ") and "landlock ✗" in result.sandbox


@pytest.mark.e2e  # runs Gradescope's run_autograder
def test_a_broken_grader_still_writes_a_valid_result(tmp_path: Path) -> None:
    root = _lay_out(tmp_path)
    (root / "source" / "reference" / "rubric.toml").write_text("[no_such_function]\n")
    build_submission(root / "submission")
    process, results = _run_autograder(root)
    assert process.returncode == 1
    assert results["tests"] == [] and results["score"] == 0
    assert "not your fault" in results["output"] and "rubric" in results["extra_data"]["grader_error"]


def test_the_upload_is_searched_for_the_modules(tmp_path: Path) -> None:
    upload = tmp_path / "upload"
    (upload / "__MACOSX" / "backprop").mkdir(parents=True)
    (upload / "__MACOSX" / "backprop" / "layers.py").write_text("")
    (upload / "deep" / "er").mkdir(parents=True)
    (upload / "deep" / "er" / "rnn_layers.py").write_text("")
    (upload / "mine").mkdir()
    (upload / "mine" / "layers.py").write_text("")
    assert find_submission(upload) == (upload / "mine", 'Graded the files in the folder "mine" of your upload.')
    (upload / "layers.py").write_text("")
    assert find_submission(upload) == (upload, "")
    assert find_submission(tmp_path / "nothing") == (tmp_path / "nothing", "")


def test_the_bundle_records_its_language_and_carries_the_catalogs(tmp_path: Path) -> None:
    from autograder.core.language import UnknownLanguageError
    from autograder.integrations.gradescope import LANGUAGE_FILE, bundled_language

    for language in ("en", "vi"):
        names = build_bundle(tmp_path / f"{language}.zip", language=language)
        with zipfile.ZipFile(tmp_path / f"{language}.zip") as archive:
            assert archive.read(LANGUAGE_FILE) == f"{language}\n".encode()
            archive.extractall(tmp_path / language)
        assert "kit/autograder/locale/vi/LC_MESSAGES/grader.mo" in names
        assert not [name for name in names if name.endswith(".po")]  # only what the grader reads
        assert bundled_language(tmp_path / language) == language
    assert build_bundle(tmp_path / "default.zip") == names  # the same files, English by default
    assert bundled_language(tmp_path / "nowhere") == "en"  # a bundle from before languages
    with pytest.raises(UnknownLanguageError):
        build_bundle(tmp_path / "xx.zip", language="xx")


@pytest.mark.e2e  # runs Gradescope's run_autograder
def test_a_vietnamese_bundle_grades_in_vietnamese(tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    build_bundle(tmp_path / "autograder.zip", language="vi")
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(root / "source")
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    _upload(root, EXAMPLES / "three_classic_slips", inside="backprop")
    process, results = _run_autograder(root)
    assert process.returncode == 0, process.stderr
    assert 'Đã chấm các file trong thư mục "backprop" của bài bạn tải lên.' in results["output"]
    assert "Chấm trên các trường hợp ẩn riêng của bạn" in results["output"]
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert failed and all("trường hợp" in test["output"] for test in failed if not test["output"].startswith(
        ("chưa", "không import")))
