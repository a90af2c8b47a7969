"""``nbgrader-autograde -j 2`` (and on Dask) against ``nbgrader autograde`` of the same course: the same
gradebook, row for row, and the same autograded files; a run killed midway loses nothing and the next
one finishes it.

One course is released and six students submitted, one with a notebook that is not JSON, one with a
notebook missing, one whose notebook kills its kernel. The course (with its secret, so the seeds are
the same) is copied before anything is graded, and each copy is graded one way. Only what records
when it ran may differ: nbclient's per-cell ``metadata.execution`` timestamps in the notebooks,
``execution_time`` in the kit's results.json, where the kernel cut a cell's printed text into
messages (the text is the same), and the execution count of the cell a kernel died in (there only if
the kernel announced the cell before it died). Each varies between two runs of nbgrader alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import CORPUS, build_submission

pytest.importorskip("nbgrader")
from nbgrader_course import (
    ASSIGNMENT,
    correct_modules,
    folder_files,
    gradebook_rows,
    insert_after_setup,
    nbgrader,
    new_course,
    solved,
    write_student,
)

from autograder.cli import main
from autograder.integrations.seeds import read_secret, secret_path

pytestmark = pytest.mark.e2e  # real tools or many seeds: left out of the fast loop

BROKEN = "broken"
STUDENTS = ("buggy", "correct", "dies", "missing", "untouched", BROKEN)


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The released course with six submissions, not graded, and a copy of it graded by nbgrader alone."""
    base = new_course(tmp_path_factory.mktemp("class"))
    read_secret(secret_path(f"sqlite:///{base / 'gradebook.db'}", base))  # made once: every copy has the same
    correct = correct_modules(base / "modules" / "correct")
    buggy = build_submission(base / "modules" / "buggy", CORPUS / "buggy" / "sigmoid_zeros.py")
    write_student(base, "correct", solved(base), correct)
    write_student(base, "buggy", solved(base), buggy)
    write_student(base, "untouched", {}, None)
    notebooks = solved(base)
    insert_after_setup(next(iter(notebooks.values())), "import os\nos._exit(3)", "dies")
    write_student(base, "dies", notebooks, correct)
    missing = write_student(base, "missing", solved(base), correct)
    next(missing.glob("*.ipynb")).unlink()
    broken = write_student(base, BROKEN, solved(base), correct)
    next(broken.glob("*.ipynb")).write_text("{ this is not a notebook")
    sequential = tmp_path_factory.mktemp("sequential") / "course"
    shutil.copytree(base, sequential)
    done = nbgrader(sequential, "autograde", ASSIGNMENT)
    assert done.returncode == 1 and f"for student '{BROKEN}'" in done.stderr, done.stderr  # only the broken one
    return {"base": base, "sequential": sequential}


def _copy(classes: dict[str, Path], folder: Path) -> Path:
    shutil.copytree(classes["base"], folder)
    return folder


def _coalesced(outputs: list[dict]) -> list[dict]:
    """Outputs with each run of stdout (or stderr) text as one: how the kernel cuts what a cell prints
    into messages depends on timing, in any run."""
    merged: list[dict] = []
    for output in outputs:
        if output["output_type"] == "stream":
            output = {**output, "text": "".join(output["text"])}
            if merged and merged[-1]["output_type"] == "stream" and merged[-1]["name"] == output["name"]:
                merged[-1]["text"] += output["text"]
                continue
        merged.append(output)
    return merged


def _comparable(course: Path) -> dict:
    """The gradebook's rows and every file of autograded/ and graded/, without what records when it ran."""
    files = {}
    for folder in ("autograded", "graded"):
        for name, (mode, data) in folder_files(course / folder).items():
            content = json.loads(data) if name.endswith((".ipynb", ".json")) else data
            if name.endswith(".ipynb"):
                for cell in content["cells"]:
                    cell.get("metadata", {}).pop("execution", None)
                    cell["outputs"] = _coalesced(cell.get("outputs", []))
                    if any(output.get("ename") == "KernelDied" for output in cell["outputs"]):
                        cell.pop("execution_count")  # known only if the kernel said so before it died
            elif name.endswith("results.json"):
                content.pop("execution_time")
            files[f"{folder}/{name}"] = (mode, content)
    return {"gradebook": gradebook_rows(course), "files": files}


def _assert_same(got: dict, expected: dict) -> None:
    assert got["gradebook"] == expected["gradebook"]
    assert got["files"].keys() == expected["files"].keys()
    for name, (mode, content) in expected["files"].items():
        assert got["files"][name][0] == mode, name
        if name.endswith(".ipynb"):  # say which cell differs
            for number, (cell, expected_cell) in enumerate(zip(got["files"][name][1]["cells"], content["cells"],
                                                               strict=True)):
                assert cell == expected_cell, f"{name}, cell {number}"
        assert got["files"][name][1] == content, name


@pytest.mark.parametrize("timestamp", ["resubmitted: not a date", "\udcff"])
def test_a_timestamp_nbgrader_cannot_read_has_the_student_autograded_again(tmp_path: Path, timestamp: str) -> None:
    """A student writes their own timestamp.txt: one nbgrader's CourseDirectory cannot parse (it raises
    AttributeError, having no ``fail``) or decode stops nobody's run; that student is autograded again,
    where nbgrader fails them alone."""
    from nbgrader.coursedir import CourseDirectory

    from autograder.integrations.nbgrader.parallel import is_done

    for folder, stamp in (("submitted", timestamp), ("autograded", "2026-12-01 10:00:00.000000 UTC")):
        (tmp_path / folder / "mallory" / ASSIGNMENT).mkdir(parents=True)
        (tmp_path / folder / "mallory" / ASSIGNMENT / "timestamp.txt").write_bytes(
            stamp.encode("utf-8", "surrogateescape"))
    assert is_done(CourseDirectory(root=str(tmp_path)), ASSIGNMENT, "mallory") is False


def test_two_at_a_time_gives_what_nbgrader_gives(classes: dict[str, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    course = _copy(classes, tmp_path / "course")
    assert main(["nbgrader-autograde", ASSIGNMENT, "--course", str(course), "-j", "2"]) == 1  # the broken one
    said = capsys.readouterr()
    assert "autograded 5, already done 0, failed 1 (of 6 students)" in said.err
    assert f"not autograded: {BROKEN}: nbformat.reader.NotJSONError" in said.err
    assert f"--- nbgrader's log of {BROKEN} ---" in said.err
    expected, got = _comparable(classes["sequential"]), _comparable(course)
    assert sorted(got["gradebook"]) == sorted(STUDENTS)
    _assert_same(got, expected)
    assert not list((course / ".nbgrader-parallel").glob("run-*")), "no staging folder is left behind"

    assert main(["nbgrader-autograde", ASSIGNMENT, "--course", str(course), "-j", "2"]) == 1
    assert "autograded 0, already done 5, failed 1" in capsys.readouterr().err, "only the broken one is tried again"
    assert gradebook_rows(course) == expected["gradebook"]


def test_on_a_dask_cluster_too(classes: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    course = _copy(classes, tmp_path / "course")
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        code = main(["nbgrader-autograde", ASSIGNMENT, "--course", str(course), "--scheduler",
                     cluster.scheduler_address])
    assert code == 1
    _assert_same(_comparable(course), _comparable(classes["sequential"]))


def test_a_run_killed_midway_loses_nothing_and_the_next_finishes(classes: dict[str, Path], tmp_path: Path) -> None:
    course = _copy(classes, tmp_path / "course")
    run = subprocess.Popen([sys.executable, "-m", "autograder", "nbgrader-autograde", ASSIGNMENT, "--course",
                            str(course), "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    autograded = course / "autograded"
    deadline = time.monotonic() + 600
    while not (autograded.is_dir() and any(autograded.glob(f"*/{ASSIGNMENT}"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = psutil.Process(run.pid).children()
    os.kill(run.pid, signal.SIGKILL)  # no chance to clean up: a machine that lost power, the OOM killer
    run.communicate(timeout=120)  # a worker left running would keep its output pipes open
    psutil.wait_procs(workers, timeout=60)  # they stop when their parent dies
    assert not [worker for worker in workers if worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE]

    sequential = gradebook_rows(classes["sequential"])
    killed = gradebook_rows(course)
    done = [student for student in STUDENTS if (autograded / student / ASSIGNMENT).is_dir()]
    assert done and len(done) < len(STUDENTS)
    for student in done:  # a student with an autograded folder has all their grades
        assert killed[student] == sequential[student], student
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    resumed = subprocess.run([sys.executable, "-m", "autograder", "nbgrader-autograde", ASSIGNMENT, "--course",
                              str(course), "-j", "2"], capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 1, resumed.stderr
    assert f"already done {len(done)}," in resumed.stderr
    _assert_same(_comparable(course), _comparable(classes["sequential"]))
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
