"""Fail closed: where this machine cannot give student code the whole sandbox, no path grades it, and
the message says what is missing and how to get it; ``BACKPROP_UNSAFE_REDUCED_SANDBOX=1`` grades
anyway, and then the report says in plain words what the code could do.

A degraded machine is simulated by changing what the sandbox's probe sees (``shutil.which``, the
Landlock ABI, libseccomp) and probing again, or, for "not root", by a probe whose children share one
user. When grading is refused, no child may have been started at all (``started``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from arena import Arena

from autograder import DEFAULT_REFERENCE, cli
from autograder.grading.grade import GraderError, grade
from autograder.grading.reference import REFERENCE_FILES
from autograder.integrations import batch, dask_cluster, gradescope
from autograder.sandbox import host, runner, syscalls

pytestmark = pytest.mark.skipif(not host.current().landlock or os.geteuid() != 0,
                                reason="simulates losing parts of a whole sandbox: needs one, as root")

OPT_IN = host.UNSAFE_OPT_IN
REFUSAL = "student code cannot be graded safely on this machine"


@pytest.fixture
def reprobe(monkeypatch):
    """Probe the machine again after the test changed what the probe sees, and once more afterwards."""
    monkeypatch.delenv(OPT_IN, raising=False)
    host.probe.cache_clear()
    yield host.current
    monkeypatch.undo()
    host.probe.cache_clear()


def _without_util_linux(monkeypatch) -> None:
    real = shutil.which
    monkeypatch.setattr(host.shutil, "which", lambda tool, *a, **k: None if tool in ("setpriv", "unshare")
                        else real(tool, *a, **k))


@pytest.fixture
def started(monkeypatch) -> list[object]:
    """Every child the runner starts, recorded."""
    calls: list[object] = []
    start = runner._start
    monkeypatch.setattr(runner, "_start", lambda *args: calls.append(args) or start(*args))
    return calls


def _submission(arena: Arena) -> Path:
    """The reference, which says so when it is imported."""
    return arena.build("layers", "print('IMPORTED', flush=True)\n")


def test_without_util_linux_grade_refuses_and_says_what_to_install(arena: Arena, reprobe, monkeypatch, started,
                                                                   capsys) -> None:
    _without_util_linux(monkeypatch)
    submission = _submission(arena)
    code = cli.main(["grade", str(submission), "--json", str(arena.results), "--seed", "3"])
    error = capsys.readouterr().err
    assert code == 2
    assert REFUSAL in error and "install util-linux" in error and OPT_IN in error, error
    assert "a uid of its own" in error
    assert not arena.results.exists() and started == []


def _seccomp_test_fails(monkeypatch, last_line: str) -> None:
    """The probe's process that loads the filter ends as it would where it cannot: with ``last_line``."""
    code = f"import sys; sys.exit({last_line!r})"
    monkeypatch.setattr(syscalls, "start_test", lambda: subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))


def test_without_landlock_or_libseccomp_the_message_names_them(reprobe, monkeypatch, started) -> None:
    monkeypatch.setattr(host, "landlock_abi", lambda: 0)
    _seccomp_test_fails(monkeypatch, "RuntimeError: Unable to find libseccomp")
    monkeypatch.setattr(syscalls, "unavailable", lambda: "libseccomp is missing: install libseccomp2")
    refusal = reprobe().refusal()
    assert "a kernel with Landlock, Linux 5.13 or newer" in refusal
    assert "install libseccomp2" in refusal
    assert "a uid of its own for each child, which needs Landlock" in refusal  # the runtime is private to root
    with pytest.raises(GraderError, match=REFUSAL):
        grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, 3)
    assert started == []


def test_a_filter_refused_by_the_machine_is_named_from_the_test_process(reprobe, monkeypatch, started) -> None:
    """pyseccomp loads in the grader, but a process cannot load a filter (a container's own refuses
    seccomp()): the probe's test process is what finds out, and its last line is quoted."""
    _seccomp_test_fails(monkeypatch, "FilterError: the seccomp filter could not be loaded: [Errno 1] EPERM")
    refusal = reprobe().refusal()
    assert "a test process could not load the seccomp filter" in refusal and "EPERM" in refusal, refusal
    with pytest.raises(GraderError, match=REFUSAL):
        grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, 3)
    assert started == []


def test_a_filter_refused_in_the_templates_test_fork_is_named_and_no_test_process_starts(reprobe, monkeypatch,
                                                                                        started) -> None:
    """Where the children's template runs, the probe takes what its test fork found (``forks.machine_facts``)
    instead of starting a Python to find out: a refusal found there refuses grading just the same."""
    def no_process():
        raise AssertionError("a test process was started although the template had answered")

    monkeypatch.setattr(syscalls, "start_test", no_process)
    monkeypatch.setattr(host, "_early_seccomp_test", lambda: {
        "landlock_abi": host.landlock_abi(),
        "seccomp": "FilterError: the seccomp filter could not be loaded: [Errno 1] EPERM"})
    refusal = reprobe().refusal()
    assert "a test process could not load the seccomp filter" in refusal and "EPERM" in refusal, refusal
    with pytest.raises(GraderError, match=REFUSAL):
        grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, 3)
    assert started == []


def test_a_template_without_an_answer_leaves_the_probe_to_its_test_process(reprobe, monkeypatch, started) -> None:
    _seccomp_test_fails(monkeypatch, "FilterError: the seccomp filter could not be loaded: [Errno 1] EPERM")
    monkeypatch.setattr(host, "_early_seccomp_test", lambda: None)  # the template did not start after all
    refusal = reprobe().refusal()
    assert "a test process could not load the seccomp filter" in refusal and "EPERM" in refusal, refusal
    assert started == []


def test_the_probe_asks_the_grader_what_is_missing_only_when_the_test_process_failed(reprobe, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(syscalls, "unavailable", lambda: asked.append(1) or "")
    assert reprobe().seccomp and asked == []  # pyseccomp stays out of the grader where the filter loads


def test_opting_in_grades_and_says_so_in_plain_words(arena: Arena, reprobe, monkeypatch) -> None:
    _without_util_linux(monkeypatch)
    monkeypatch.setenv(OPT_IN, "1")
    result = grade(_submission(arena), DEFAULT_REFERENCE, 3)
    assert result.score == result.max_score
    assert result.sandbox.startswith("sandbox: REDUCED PROTECTION: "), result.sandbox
    assert "student code ran as root" in result.sandbox
    assert "without namespaces, so it could reach the network" in result.sandbox


def test_with_the_code_guard_switched_off_grading_refuses_unless_opted_in(arena: Arena, reprobe, monkeypatch,
                                                                        started) -> None:
    monkeypatch.setenv(host.CODE_GUARD_SWITCH, "0")
    refusal = reprobe().refusal()
    assert REFUSAL in refusal and f"unset {host.CODE_GUARD_SWITCH}" in refusal, refusal
    with pytest.raises(GraderError, match=REFUSAL):
        grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, 3)
    assert started == []
    monkeypatch.setenv(OPT_IN, "1")
    result = grade(arena.build("layers", "exec('print(\"RAN\", flush=True)')\n"), DEFAULT_REFERENCE, 3)
    assert "RAN" in result.printed["layers"]  # no guard: the text ran
    assert "without the code guard, so it could run code built at run time" in result.sandbox, result.sandbox
    assert "code guard ✗" in result.sandbox


def test_a_filter_the_child_cannot_load_means_no_student_code_runs(arena: Arena, monkeypatch) -> None:
    policy = runner.child_policy
    monkeypatch.setattr(runner, "child_policy", lambda *args: {**policy(*args), "syscalls": "no-such-profile"})
    result = grade(_submission(arena), DEFAULT_REFERENCE, 3)
    assert "IMPORTED" not in result.printed["layers"]
    layers = {f.message for r in result.results if r.verdict.function.module == "layers" for f in r.verdict.findings}
    assert layers == {"the grader could not set up its sandbox, so your code was not run; this is not your fault: "
                      "please tell your TA"}


# --- not root: every child runs as the TA, so only one submission at a time ---------------------


@pytest.fixture
def shared_user(monkeypatch):
    """The sandbox a TA's own account gets: whole, but every child runs as the TA."""
    monkeypatch.delenv(OPT_IN, raising=False)
    shared = dataclasses.replace(host.current(), shared_user="ta")
    monkeypatch.setattr(host, "current", lambda: shared)
    return shared


def _students(root: Path) -> Path:
    for student in ("ann", "bob"):
        (root / student).mkdir(parents=True)
        for name in ("layers.py", "rnn_layers.py"):
            shutil.copy(DEFAULT_REFERENCE / name, root / student / name)
    return root


@pytest.mark.e2e  # grade-all over a class, three times
def test_not_root_grade_all_in_parallel_is_refused_one_at_a_time_is_not(tmp_path: Path, shared_user, started,
                                                                        monkeypatch) -> None:
    students = _students(tmp_path / "in")
    with pytest.raises(GraderError, match=r"(?s)a uid of its own for each child graded at the same time.*-j 1"):
        batch.grade_all(students, tmp_path / "out", jobs=2)
    assert not (tmp_path / "out" / "ann").exists() and started == []
    done = batch.grade_all(students, tmp_path / "one", jobs=1)
    assert done.graded == ["ann", "bob"] and not done.failed
    monkeypatch.setenv(OPT_IN, "1")
    done = batch.grade_all(students, tmp_path / "both", jobs=2)
    assert sorted(done.graded) == ["ann", "bob"]
    extra = json.loads((tmp_path / "both" / "ann" / "results.json").read_text())["extra_data"]
    assert extra["sandbox"].startswith("sandbox: REDUCED PROTECTION: submissions graded at the same time all ran "
                                       "as ta, and could read or change one another's files"), extra["sandbox"]


def test_not_root_a_dask_worker_refuses(tmp_path: Path, shared_user, started) -> None:
    packed = dask_cluster.pack_submission(_students(tmp_path) / "ann")
    with pytest.raises(GraderError, match="a uid of its own for each child graded at the same time"):
        dask_cluster.grade_packed(packed, dask_cluster.pack_reference(DEFAULT_REFERENCE), 3, 5.0)
    assert started == []


# --- Gradescope and nbgrader -------------------------------------------------------------------


def test_gradescope_writes_what_is_missing_instead_of_grading(tmp_path: Path, reprobe, monkeypatch, started) -> None:
    _without_util_linux(monkeypatch)
    root = tmp_path / "autograder"
    (root / "source" / "reference").mkdir(parents=True)
    for name in REFERENCE_FILES:
        shutil.copy(DEFAULT_REFERENCE / name, root / "source" / "reference" / name)
    submission = root / "submission"
    submission.mkdir()
    for name in ("layers.py", "rnn_layers.py"):
        shutil.copy(DEFAULT_REFERENCE / name, submission / name)
    assert gradescope.run(root) == 1
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0.0 and results["tests"] == []
    assert REFUSAL in results["output"] and "install util-linux" in results["output"], results["output"]
    assert started == []


def test_nbgrader_grading_refuses(tmp_path: Path, reprobe, monkeypatch, started) -> None:
    nbgrader = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    _without_util_linux(monkeypatch)
    submitted = _students(tmp_path) / "ann"
    with pytest.raises(GraderError, match="install util-linux"):
        nbgrader.grade_submission(submitted, DEFAULT_REFERENCE, 3, 5.0)
    assert started == []
