"""The sandbox's parts, one at a time: the hardened wire reader, the reply rebuilder, the safe copy of
student files, the limits and identity a child really gets, killing a process tree, and refusing to
run student code when a protection cannot be applied."""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import psutil
import pytest
from arena import Arena
from helpers import build_submission

from autograder import DEFAULT_REFERENCE, KIT_ROOT
from autograder.grading.grade import grade
from autograder.outputs.report import text_report
from autograder.outputs.results_json import gradescope_results
from autograder.sandbox import host, replies, runner, uids, wire
from autograder.sandbox.scratch import MAX_SOURCE_BYTES, SubmissionError, read_source

LINUX_SANDBOX = pytest.mark.skipif(not host.current().landlock, reason="needs Landlock (Linux >= 5.13)")


# --- the wire: a reply file can hold nothing but numbers and text -----------------------------------


def _npz(path: Path, structure: object, **arrays: np.ndarray) -> Path:
    np.savez(path, __structure__=np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8), **arrays)
    return path


def test_wire_round_trip(tmp_path: Path) -> None:
    message = {"cases": [{"out": np.arange(6.0).reshape(2, 3), "error": "", "flags": [True, None, 1.5]}]}
    wire.write(tmp_path / "m.npz", message)
    back = wire.read(tmp_path / "m.npz")
    assert np.array_equal(back["cases"][0]["out"], message["cases"][0]["out"])
    assert back["cases"][0]["flags"] == [True, None, 1.5]


def test_wire_refuses_a_symlink_and_a_fifo_without_hanging(tmp_path: Path) -> None:
    wire.write(tmp_path / "real.npz", {"cases": []})
    os.symlink(tmp_path / "real.npz", tmp_path / "link.npz")
    os.mkfifo(tmp_path / "fifo.npz")
    with pytest.raises(wire.WireError, match="unreadable reply"):
        wire.read(tmp_path / "link.npz")
    with pytest.raises(wire.WireError, match="not a regular file"):
        wire.read(tmp_path / "fifo.npz")


def test_wire_refuses_an_oversized_reply_by_its_size(tmp_path: Path) -> None:
    wire.write(tmp_path / "big.npz", {"a": np.zeros(300_000)})
    with pytest.raises(wire.WireError, match=r"reply of 2\.3 MB is over the 1 MB limit"):
        wire.read(tmp_path / "big.npz", max_bytes=2**20)


def test_wire_refuses_compression_pickles_and_lying_headers(tmp_path: Path) -> None:
    structure = {"a": {"__array__": "a"}}
    np.savez_compressed(tmp_path / "zipped.npz", __structure__=np.frombuffer(b"{}", dtype=np.uint8))
    with pytest.raises(wire.WireError, match="compressed"):
        wire.read(tmp_path / "zipped.npz")

    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    _npz(tmp_path / "pickle.npz", structure, a=np.array([Payload()], dtype=object))
    with pytest.raises(wire.WireError, match="not numbers"):
        wire.read(tmp_path / "pickle.npz")
    assert not marker.exists()

    _npz(tmp_path / "liar.npz", structure, a=np.zeros(4))
    with zipfile.ZipFile(tmp_path / "liar.npz") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["a.npy"] = entries["a.npy"].replace(b"(4,)", b"(9999999999,)".ljust(4))
    with zipfile.ZipFile(tmp_path / "liar.npz", "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    with pytest.raises(wire.WireError):
        wire.read(tmp_path / "liar.npz")


def test_wire_refuses_garbage_and_deep_nesting(tmp_path: Path) -> None:
    (tmp_path / "garbage.npz").write_bytes(os.urandom(1000))
    with pytest.raises(wire.WireError):
        wire.read(tmp_path / "garbage.npz")
    np.savez(tmp_path / "deep.npz", __structure__=np.frombuffer(b"[" * 100_000 + b"]" * 100_000, dtype=np.uint8))
    with pytest.raises(wire.WireError):
        wire.read(tmp_path / "deep.npz")


# --- replies: rebuilt field by field ----------------------------------------------------------------


def test_replies_of_the_wrong_shape_cost_only_their_cases() -> None:
    good = {"error": "", "not_implemented": False, "out": np.ones(2), "grads": {"dx": np.ones(2)}, "changed": []}
    assert replies.clean({"cases": [good]}, 2)[0]["error"] == "its reply was malformed (expected 2 cases)"
    assert replies.clean([good], 1)[0]["error"].startswith("its reply was malformed")
    cleaned = replies.clean({"cases": [good, {"error": 3}, {"out": "x", "grads": {}}, "nope",
                                       {**good, "grads": {str(i): np.ones(1) for i in range(100)}}]}, 5)
    assert cleaned[0]["grads"]["dx"].dtype == np.float64 and not cleaned[0]["error"]
    assert [c["error"] for c in cleaned[1:]] == [replies.MALFORMED] * 4


def test_replies_keep_only_known_fields_and_short_text() -> None:
    case = {"error": "x" * 10_000, "not_implemented": "yes", "evil": np.ones(3), "import_failed": 1}
    cleaned = replies.clean({"cases": [case]}, 1)[0]
    assert set(cleaned) == {"error", "not_implemented"}
    assert len(cleaned["error"]) < 600 and cleaned["not_implemented"] is False


# --- the copy of the student's files --------------------------------------------------------------


def test_read_source_refuses_what_is_not_a_plain_source_file(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    assert read_source(tmp_path / "ok.py") == b"x = 1\n"
    os.symlink(tmp_path / "ok.py", tmp_path / "link.py")
    (tmp_path / "folder.py").mkdir()
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "big.py").write_bytes(b"#" * (MAX_SOURCE_BYTES + 1))
    expectations = {"link.py": "is a symbolic link", "folder.py": "not a regular file", "fifo.py": "not a regular file",
                    "big.py": "over the 1 MB limit", "missing.py": "is missing"}
    for name, message in expectations.items():
        with pytest.raises(SubmissionError, match=message):
            read_source(tmp_path / name)


# --- what a child really gets ---------------------------------------------------------------------


def test_the_report_and_results_say_which_protections_were_on(tmp_path: Path) -> None:
    result = grade(build_submission(tmp_path), DEFAULT_REFERENCE, 3)
    summary = host.current().summary()
    assert result.sandbox == summary
    assert summary in text_report(result)
    assert gradescope_results(result)["extra_data"]["sandbox"] == summary
    for name in ("landlock", "no network", "user", "limits", "process tree"):
        assert name in summary


@LINUX_SANDBOX
def test_every_protection_is_active_here() -> None:
    protections = {p.name.split()[0]: p for p in host.current().protections}
    assert all(p.active for p in protections.values()), host.current().summary()
    if os.geteuid() == 0:
        assert "own user ✓" in host.current().summary()


@LINUX_SANDBOX
def test_the_child_runs_under_its_limits_and_identity(arena: Arena) -> None:
    probe = textwrap.dedent("""
        import os, resource
        names = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC")
        limits = {name: resource.getrlimit(getattr(resource, name)) for name in names}
        print("PROBE", {"uid": os.getuid(), "pid": os.getpid(), "limits": limits, "cwd": os.getcwd()})
    """)
    result = grade(arena.build("rnn_layers", probe), arena.reference, 3, seconds_per_function=7)
    assert result.score == result.max_score
    line = next(line for line in result.printed["rnn_layers"].splitlines() if line.startswith("PROBE"))
    seen = ast.literal_eval(line[len("PROBE "):])
    limits = host.LIMITS
    assert seen["limits"]["RLIMIT_AS"] == (limits.memory_bytes, limits.memory_bytes)
    assert seen["limits"]["RLIMIT_CPU"] == (12, 12)
    assert seen["limits"]["RLIMIT_FSIZE"] == (limits.file_bytes, limits.file_bytes)
    assert seen["limits"]["RLIMIT_NOFILE"] == (limits.open_files, limits.open_files)
    assert seen["limits"]["RLIMIT_CORE"] == (0, 0)
    assert seen["limits"]["RLIMIT_NPROC"][0] == seen["limits"]["RLIMIT_NPROC"][1] < 10_000
    assert seen["pid"] == 1  # the first process of its own PID namespace
    assert seen["cwd"].endswith("/work")
    if os.geteuid() == 0:  # a uid leased for this child alone
        assert uids.FIRST_UID <= seen["uid"] < uids.FIRST_UID + uids.COUNT
    assert seen["limits"]["RLIMIT_NPROC"][0] == host.LIMITS.extra_processes, "nothing else runs as its uid"


def test_kill_tree_reaches_a_grandchild_that_left_the_process_group() -> None:
    script = textwrap.dedent("""
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                print(os.getpid(), flush=True)
                time.sleep(600)
            time.sleep(600)
        time.sleep(600)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True)
    grandchild = psutil.Process(int(process.stdout.readline()))
    assert grandchild.pid != process.pid and os.getsid(grandchild.pid) != os.getsid(process.pid)
    host.kill_tree(process)
    process.stdout.close()
    assert not grandchild.is_running() or grandchild.status() == psutil.STATUS_ZOMBIE


@LINUX_SANDBOX
def test_the_child_tree_dies_with_the_grader(arena: Arena) -> None:
    submission = arena.build("layers", "def relu_backward(dout, cache):\n    while True:\n        pass\n")
    grader = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submission), "--time-limit", "120"],
                              cwd=KIT_ROOT, env={**os.environ, "TMPDIR": str(arena.scratch_root)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not arena.survivors(wait=0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert arena.survivors(wait=0), "the grader never started a child"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert arena.survivors(wait=10) == []


@LINUX_SANDBOX
@pytest.mark.parametrize("forked", ["1", "0"], ids=["forked", "fresh"])
def test_a_child_that_clears_its_parent_death_signal_still_dies_with_the_grader(arena: Arena, forked: str) -> None:
    """The parent-death signal is the child's own setting: code that clears it (prctl) and sleeps would
    outlive a grader killed at that moment, since nothing else then kills it."""
    # At import, in the process that is pid 1 of the child's namespace: every other process of it dies
    # with that one.
    submission = arena.build("layers", textwrap.dedent("""
        import ctypes, time
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG, 0: no signal when the parent ends
        def relu_backward(dout, cache):
            time.sleep(600)
    """))
    grader = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submission), "--time-limit", "120"],
                              cwd=KIT_ROOT, env={**os.environ, "TMPDIR": str(arena.scratch_root),
                                                 "BACKPROP_FORK_SERVER": forked},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not arena.survivors(wait=0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert arena.survivors(wait=0), "the grader never started a child"
    time.sleep(1)  # relu_backward is reached and the setting cleared
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert arena.survivors(wait=10) == []


@LINUX_SANDBOX
def test_no_student_code_runs_when_a_protection_cannot_be_applied(arena: Arena, monkeypatch) -> None:
    policy = runner.child_policy

    def broken(*args):
        return {**policy(*args), "readable": ["/no/such/folder"]}

    monkeypatch.setattr(runner, "child_policy", broken)
    marker = arena.markers[1]
    submission = arena.build("layers", f"open({str(marker)!r}, 'w').write('ran')\n")
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert not marker.exists()
    messages = {f.message for r in result.results if r.verdict.function.module == "layers" for f in r.verdict.findings}
    assert messages == {"the grader could not set up its sandbox, so your code was not run; this is not your fault: "
                        "please tell your TA"}
