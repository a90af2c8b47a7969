"""The sandbox's parts, one at a time: the hardened wire reader, the reply rebuilder, the safe copy of
student files, the limits and identity a child really gets, killing a process tree, and refusing to
run student code when a protection cannot be applied."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from arena import Arena
from forged_wire import forge, record
from helpers import PAST_THE_CODE_GUARD, build_submission

from autograder import DEFAULT_REFERENCE, KIT_ROOT
from autograder.grading.grade import grade
from autograder.outputs.report import text_report
from autograder.outputs.results_json import gradescope_results
from autograder.sandbox import host, replies, runner, uids, wire
from autograder.sandbox.scratch import MAX_SOURCE_BYTES, SubmissionError, read_source

LINUX_SANDBOX = pytest.mark.skipif(not host.current().landlock, reason="needs Landlock (Linux >= 5.13)")


# --- the wire: a reply file can hold nothing but numbers and text -----------------------------------


def test_wire_round_trip(tmp_path: Path) -> None:
    message = {"cases": [{"out": np.arange(6.0).reshape(2, 3), "error": "", "flags": [True, None, 1.5],
                          "loss": np.array(2.5), "mask": np.array([True, False]), "labels": np.arange(3),
                          "empty": np.zeros((0, 4)), "transposed": np.arange(6.0).reshape(2, 3).T,
                          "big_endian": np.arange(3.0).astype(">f8")}]}
    wire.write(tmp_path / "m.bin", message)
    back = wire.read(tmp_path / "m.bin")["cases"][0]
    for name, sent in message["cases"][0].items():
        if isinstance(sent, np.ndarray):
            assert back[name].shape == sent.shape and np.array_equal(back[name], sent), name
            assert back[name].dtype.kind == sent.dtype.kind, name
    assert back["flags"] == [True, None, 1.5] and back["error"] == ""
    text = {"key \ud800": "a lone surrogate \udfff, é, \U0001d4d0, \n, \", \\"}  # student text, sent as it is
    wire.write(tmp_path / "t.bin", text)
    assert wire.read(tmp_path / "t.bin") == text


def test_wire_sends_numbers_only(tmp_path: Path) -> None:
    for value in (np.array(["text"]), np.array([1 + 2j]), np.array([object()], dtype=object), np.zeros((1,) * 9)):
        with pytest.raises(wire.WireError, match="cannot send"):
            wire.write(tmp_path / "m.bin", {"a": value})


def test_wire_refuses_a_symlink_and_a_fifo_without_hanging(tmp_path: Path) -> None:
    wire.write(tmp_path / "real.bin", {"cases": []})
    os.symlink(tmp_path / "real.bin", tmp_path / "link.bin")
    os.mkfifo(tmp_path / "fifo.bin")
    with pytest.raises(wire.WireError, match="unreadable reply"):
        wire.read(tmp_path / "link.bin")
    with pytest.raises(wire.WireError, match="not a regular file"):
        wire.read(tmp_path / "fifo.bin")


def test_wire_refuses_an_oversized_reply_by_its_size(tmp_path: Path) -> None:
    wire.write(tmp_path / "big.bin", {"a": np.zeros(300_000)})
    with pytest.raises(wire.WireError, match=r"reply of 2\.3 MB is over the 1 MB limit"):
        wire.read(tmp_path / "big.bin", max_bytes=2**20)


def test_wire_refuses_other_files_and_versions(tmp_path: Path) -> None:
    """A numpy archive (the format a pickle rides in), random bytes, an empty file, another version."""
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    np.savez(tmp_path / "pickle.npz", a=np.array([Payload()], dtype=object))
    (tmp_path / "garbage").write_bytes(os.urandom(1000))
    (tmp_path / "empty").write_bytes(b"")
    for name in ("pickle.npz", "garbage", "empty"):
        with pytest.raises(wire.WireError, match="not a message the grader's children write"):
            wire.read(tmp_path / name)
    assert not marker.exists()
    with pytest.raises(wire.WireError, match="format version 2"):
        wire.read(forge(tmp_path / "v2", {}, version=2))


def test_wire_refuses_records_that_lie(tmp_path: Path) -> None:
    """Each record must lie inside the data, after the one before, with a dtype and a shape the kit sends:
    else a file of a few bytes could make the grader copy gigabytes, or read past its end."""
    tree = {"a": {"__array__": 0}}
    lies = {
        "past_its_end": [record(0, "<f8", (9_999_999_999,))],
        "dims_that_overflow": [record(0, "<f8", (2**40, 2**40, 2**40))],
        "offset_past_its_end": [record(2**62, "<f8", (1,))],
        "overlapping": [record(0, "<f8", (4,))] * 1000,
        "out_of_order": [record(64, "<f8", (1,)), record(0, "<f8", (1,))],
        "object_dtype": [record(0, 200, (4,))],
        "too_many_dimensions": [_deep_record()],
    }
    for name, records in lies.items():
        with pytest.raises(wire.WireError, match="array of the reply"):
            wire.read(forge(tmp_path / name, tree, records, bytes(64)))
    assert wire.read(forge(tmp_path / "true", tree, [record(0, "<f8", (4,))], bytes(64)))["a"].shape == (4,)


def _deep_record() -> np.ndarray:
    row = record(0, "<f8", (1,))
    row["ndim"] = wire.MAX_NDIM + 1
    return row


def test_wire_refuses_a_tree_that_names_arrays_it_does_not_hold(tmp_path: Path) -> None:
    for reference in (1, -1, True, "0", 0.0, None):
        with pytest.raises(wire.WireError, match="names an array it does not hold"):
            wire.read(forge(tmp_path / "m", {"a": {"__array__": reference}}, [record(0, "<f8", (1,))], bytes(8)))


def test_wire_refuses_truncation_garbage_json_and_deep_nesting(tmp_path: Path) -> None:
    with pytest.raises(wire.WireError, match="shorter than its table and structure say"):
        wire.read(forge(tmp_path / "truncated", {}, arrays=1000))
    with pytest.raises(wire.WireError, match="malformed reply"):
        wire.read(forge(tmp_path / "json", structure=b"{not json"))
    with pytest.raises(wire.WireError, match="malformed reply"):
        wire.read(forge(tmp_path / "utf8", structure=b'"\xff\xfe"'))
    with pytest.raises(wire.WireError, match="RecursionError"):
        wire.read(forge(tmp_path / "deep", structure=b"[" * 100_000 + b"]" * 100_000))


def test_wire_refuses_a_tree_that_names_one_array_twice(tmp_path: Path) -> None:
    """A file of 100 KB that named one array of 100,000 bytes in every field of every case made the
    reply's reader copy 800 MB (each copy widened to float64): a tree names each array once."""
    once = {"__array__": 0}
    case = {"error": "", "out": once, "grads": {f"g{k}": once for k in range(64)}}
    with pytest.raises(wire.WireError, match="names one of its arrays twice"):
        wire.read(forge(tmp_path / "twice", {"cases": [case] * 8}, [record(0, "u1", (100_000,))], bytes(100_000)))


def test_replies_take_float64_arrays_only(tmp_path: Path) -> None:
    """The child sends float64 (``calling._as_float_array``): a narrower array would be widened, its copy
    up to eight times the bytes it came in."""
    requests = [{"args": {"x": np.zeros(3)}, "dout": np.zeros(3)}]
    for dtype in ("u1", "?", "<f2", "<i8"):
        forge(tmp_path / "reply.bin", {"cases": [{"error": "", "out": {"__array__": 0}, "grads": {}, "changed": []}]},
              [record(0, dtype, (1000,))], bytes(8000))
        assert runner._read_reply(tmp_path / "reply.bin", requests)[0]["error"] == replies.MALFORMED, dtype
    forge(tmp_path / "reply.bin", {"cases": [{"error": "", "out": {"__array__": 0}, "grads": {}, "changed": []}]},
          [record(0, "<f8", (1000,))], bytes(8000))
    assert runner._read_reply(tmp_path / "reply.bin", requests)[0]["out"].shape == (1000,)


def test_a_reply_never_costs_more_memory_than_a_few_times_its_file(tmp_path: Path) -> None:
    """Whatever a file of the wire format holds within the size cap, what reading and rebuilding it keeps
    is bounded by its size: views of one buffer, each array copied once."""
    import tracemalloc

    size = 2**20
    count = size // 8 // 64
    records = [record(64 * 8 * number, "<f8", (64,)) for number in range(count)]
    cases = [{"error": "", "out": {"__array__": number}, "grads": {}, "changed": []} for number in range(count)]
    path = forge(tmp_path / "reply.bin", {"cases": cases}, records, bytes(size))
    requests = [{"args": {"x": np.zeros(3)}, "dout": np.zeros(3)}] * count
    tracemalloc.start()
    runner._read_reply(path, requests)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 6 * path.stat().st_size


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


SPINNERS = textwrap.dedent("""
    import os as _os, time as _time

    _STARTED = 0
    for _ in range(26):  # each its own session: on a desktop, its own scheduler group, as many as the cores
        try:
            if _os.fork() == 0:
                _os.setsid()
                _time.sleep(600)  # a spinner would loop here, competing with classmates for the cores
                _os._exit(0)
            _STARTED += 1
        except OSError:
            break

    _relu_backward = relu_backward

    def relu_backward(dout, cache):
        print("STARTED", _STARTED, flush=True)
        return _relu_backward(dout, cache)
""")


@LINUX_SANDBOX
def test_a_child_starts_only_a_few_processes_beside_the_one_that_answers(arena: Arena) -> None:
    """Processes started at import live as long as the module's child: each one more takes a share of
    the cores from the classmates graded beside it. Honest code starts none."""
    result = grade(arena.build("layers", SPINNERS), arena.reference, 3, only=["relu_backward"])
    started = int(next(line for line in result.printed["layers"].splitlines() if line.startswith("STARTED")).split()[1])
    assert started <= host.LIMITS.extra_processes - 1 < 4, result.printed  # the module's own process counts
    assert result.score == result.max_score, "a fork that fails is answered in the module's process"


@LINUX_SANDBOX
def test_what_the_last_function_printed_is_kept_when_the_child_is_stopped_at_its_reply(arena: Arena) -> None:
    """The grader stops a child the moment its last reply is there, so the child must flush what the
    student's code printed before that reply appears (once it came after, and was sometimes lost)."""
    slow_flush = textwrap.dedent("""
        import sys, time

        class _SlowToFlush:
            def __init__(self, stream):
                self.stream = stream
            def write(self, text):
                return self.stream.write(text)
            def flush(self):
                time.sleep(1.0)  # far longer than the grader takes to see a reply and stop the child
                self.stream.flush()

        sys.stdout = _SlowToFlush(sys.stdout)
        _relu_backward = relu_backward

        def relu_backward(dout, cache):
            print("PRINTED-BY-RELU")
            return _relu_backward(dout, cache)
    """)
    result = grade(arena.build("layers", slow_flush), arena.reference, 3, only=["relu_backward"])
    assert result.score == result.max_score
    assert "PRINTED-BY-RELU" in result.printed["layers"], result.printed


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
    outlive a grader killed at that moment, since nothing else then kills it. (It reaches prctl through
    ctypes, so past the code guard.)"""
    # At import, in the process that is pid 1 of the child's namespace: every other process of it dies
    # with that one.
    submission = arena.build("layers", textwrap.dedent("""
        import ctypes, time
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG, 0: no signal when the parent ends
        def relu_backward(dout, cache):
            open("reached", "w").close()  # in the child's own folder, for the test to see
            time.sleep(600)
    """))
    grader = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submission), "--time-limit", "120"],
                              cwd=KIT_ROOT, env={**os.environ, "TMPDIR": str(arena.scratch_root),
                                                 "BACKPROP_FORK_SERVER": forked, **PAST_THE_CODE_GUARD},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not arena.survivors(wait=0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert arena.survivors(wait=0), "the grader never started a child"
    while not list(arena.scratch_root.glob("*/work/reached")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until relu_backward is reached, the setting long cleared
    assert list(arena.scratch_root.glob("*/work/reached")), "the child never reached relu_backward"
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
