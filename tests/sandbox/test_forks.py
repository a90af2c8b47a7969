"""Children forked from the template (``forks``, ``template``) against children started fresh: the same
confinement, field by field, and nothing of one submission in the next.

Every other sandbox test (the adversarial corpus, the neighbours, the limits) runs through the
template too, since it is the default wherever it can be had; these tests compare it with the fresh
path it replaces and attack what only it has: a long-lived process every child is forked from.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest
from helpers import build_submission, reference_source

from autograder.core.spec import BY_NAME
from autograder.grading.grade import plan
from autograder.sandbox import forks, host, runner, syscalls, template, uids

pytestmark = pytest.mark.skipif(not forks.usable(host.current()), reason="no template can fork children here")

# The student's relu_backward: what it sees of its own confinement, printed; then it waits until the
# test has read the rest from outside (``_outside``), which Landlock keeps it from reading itself.
FINGERPRINT = textwrap.dedent('''
    import json as _json, os as _os, resource as _resource, signal as _signal, socket as _socket, stat as _stat
    import sys as _sys, time as _time

    def _inside():
        facts = {"ids": [_os.getresuid(), _os.getresgid(), _os.getgroups()]}
        facts["limits"] = {name: _resource.getrlimit(getattr(_resource, name)) for name in dir(_resource)
                           if name.startswith("RLIMIT_")}
        facts["pid, session"] = [_os.getpid(), _os.getsid(0) == _os.getpid(), _os.getpgid(0) == _os.getpid()]
        facts["umask"] = _os.umask(0o22)
        facts["cwd is HOME"] = _os.getcwd() == _os.environ.get("HOME")
        facts["environment"] = sorted(_os.environ)
        facts["argv"] = [part.replace(_os.path.dirname(_os.getcwd()), "ROOT") for part in _sys.argv[1:2]]
        facts["flags"] = [_sys.flags.safe_path, _sys.flags.no_user_site, _sys.flags.hash_randomization]
        # Past stdin, stdout and stderr, what is open counts, not its number: the watched inputs come at
        # the number the grader's process gave them, which depends on what else it has open.
        kinds = {}
        for fd in range(256):
            try:
                mode = _os.fstat(fd).st_mode
            except OSError:
                continue
            kinds[fd] = [kind for kind in ("S_ISFIFO", "S_ISREG", "S_ISCHR", "S_ISSOCK", "S_ISDIR")
                         if getattr(_stat, kind)(mode)]
        facts["descriptors"] = [kinds.pop(fd, None) for fd in (0, 1, 2)] + sorted(kinds.values())
        facts["signals"] = {name: str(_signal.getsignal(getattr(_signal, name)))
                            for name in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGCHLD", "SIGXFSZ", "SIGHUP")}
        tried = {}
        for what, attempt in (("read /etc/hostname", lambda: open("/etc/hostname").read()),
                              ("list /tmp", lambda: _os.listdir("/tmp")),
                              ("socket", lambda: _socket.socket()),
                              ("signal the grader", lambda: _os.kill(GRADER_PID, 0))):
            try:
                tried[what] = repr(attempt())
            except OSError as error:
                tried[what] = type(error).__name__
        facts["tried"] = tried
        return facts

    def relu_backward(dout, cache):
        print("FINGERPRINT " + _json.dumps(_inside(), sort_keys=True), flush=True)
        open("ready", "w").close()
        deadline = _time.monotonic() + 30
        while not _os.path.exists("go") and _time.monotonic() < deadline:
            _time.sleep(0.01)
        x = cache
        return dout * (x > 0)
''')

STATUS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
          "Seccomp_filters")


def _leased(value: str) -> str:
    return "leased" if value.isdigit() and uids.FIRST_UID <= int(value) < uids.FIRST_UID + uids.COUNT else value


def _outside(pid: int) -> dict[str, Any]:
    """What the grader's side sees of a child: its status, namespaces, limits and descriptors."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    facts: dict[str, Any] = {key: [_leased(v) for v in status[key].split()] for key in STATUS}
    facts["namespaces"] = {kind: os.readlink(f"/proc/{pid}/ns/{kind}") != os.readlink(f"/proc/self/ns/{kind}")
                           for kind in ("net", "pid", "ipc", "mnt", "user", "uts", "cgroup")}
    facts["limits"] = Path(f"/proc/{pid}/limits").read_text()
    descriptors = sorted((int(fd), re.sub(r"[0-9]+", "#", os.readlink(f"/proc/{pid}/fd/{fd}")))
                         for fd in os.listdir(f"/proc/{pid}/fd"))
    # Numbered past 2 by the grader's process, not the child's confinement (as in FINGERPRINT).
    facts["descriptors"] = descriptors[:3] + sorted((min(fd, 3), target) for fd, target in descriptors[3:])
    return facts


def _run(submission: Path, monkeypatch: pytest.MonkeyPatch, forked: bool) -> tuple[dict[str, Any], str]:
    monkeypatch.setenv(forks.SWITCH, "1" if forked else "0")
    requests = {"relu_backward": [p.request for p in plan(BY_NAME["relu_backward"], 5)][:2]}
    return runner.run_module(submission / "layers.py", "layers", requests)


def _the_child(work: Path) -> int:
    """The process that answers in ``work`` (the last function is answered by the child itself)."""
    for process in psutil.process_iter(["cmdline", "cwd"]):
        if process.info["cwd"] == str(work) and (process.info["cmdline"] or [""])[0] == sys.executable:
            return process.pid
    raise AssertionError(f"no process works in {work}")


def _fingerprint(submission: Path, monkeypatch: pytest.MonkeyPatch, forked: bool, scratch: Path
                 ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(what the child sees, what the grader sees of it, its replies) of one child answering relu_backward."""
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(_run, submission, monkeypatch, forked)
        deadline = time.monotonic() + 30
        ready: list[Path] = []
        while not ready and time.monotonic() < deadline:
            ready = list(scratch.glob("*/work/ready"))
            time.sleep(0.01)
        assert ready, "the child never started"
        outside = _outside(_the_child(ready[0].parent))
        (ready[0].parent / "go").touch()
        replies, printed = running.result()
    line = next(line for line in printed.splitlines() if line.startswith("FINGERPRINT "))
    inside = json.loads(line.removeprefix("FINGERPRINT "))
    inside["ids"] = [[_leased(str(v)) for v in ids] for ids in inside["ids"]]
    return inside, outside, replies


def test_a_forked_child_is_confined_exactly_like_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    submission = build_submission(tmp_path / "s")
    (submission / "layers.py").write_text(reference_source("layers") + f"\nGRADER_PID = {os.getpid()}\n" + FINGERPRINT)
    forked_inside, forked, forked_replies = _fingerprint(submission, monkeypatch, True, tmp_path / "forked")
    fresh_inside, fresh, fresh_replies = _fingerprint(submission, monkeypatch, False, tmp_path / "fresh")
    # One difference, stricter: a forked child leads a session of its own; a fresh one is in its
    # wrapper's (a root process's). Either way no signal leaves the child (Landlock's scope, its uid).
    assert forked_inside.pop("pid, session") == [1, True, True]
    assert fresh_inside.pop("pid, session") == [1, False, False]
    assert forked_inside == fresh_inside
    assert forked == fresh
    # And what both say is the whole sandbox, not the same gap twice.
    assert forked["Uid"] == ["leased"] * 4 and forked["Groups"] == []
    assert forked["CapEff"] == forked["CapBnd"] == forked["CapAmb"]
    assert forked["NoNewPrivs"] == ["1"] and forked["Seccomp"] == ["2"]
    assert forked["namespaces"] == {"net": True, "pid": True, "ipc": True, "mnt": False, "user": False,
                                    "uts": False, "cgroup": False}
    # The grader is not in its PID namespace at all.
    assert forked_inside["tried"] == {"read /etc/hostname": "PermissionError", "list /tmp": "PermissionError",
                                      "socket": "PermissionError", "signal the grader": "ProcessLookupError"}
    # No socket of the template's, no pipe of its keeper's: the output, and the watched inputs (mmap's own copy too).
    assert [target for _, target in forked["descriptors"]][:3] == ["/dev/null", "pipe:[#]", "pipe:[#]"]
    assert {target for _, target in forked["descriptors"][3:]} == {"/memfd:backprop-inputs (deleted)"}
    assert json.dumps(forked_replies, default=str) == json.dumps(fresh_replies, default=str)


ATTACKER = textwrap.dedent('''
    import builtins, os, subprocess, sys, numpy

    numpy.LEFT_BEHIND = "by the attacker"
    builtins.LEFT_BEHIND = "by the attacker"
    os.environ["LEFT_BEHIND"] = "by the attacker"
    sys.modules["left_behind"] = sys
    with open("left_behind.txt", "w") as note:
        note.write("by the attacker")
    numpy.random.seed(12345)
    # The template is root and every child's parent's parent: stop it, read its memory or its
    # descriptors, and every later submission would be at the attacker's mercy. Say its pid is known
    # (it cannot be listed: /proc is out of reach).
    found = [TEMPLATE_PID]
    outcomes = []
    for pid in found:
        for attempt in (lambda: os.kill(pid, 9), lambda: open(f"/proc/{pid}/mem", "rb").read(1),
                        lambda: os.listdir(f"/proc/{pid}/fd"), lambda: open(f"/proc/{pid}/environ", "rb").read(),
                        lambda: os.kill(-pid, 9)):
            try:
                attempt()
                outcomes.append("done")
            except OSError as error:
                outcomes.append(type(error).__name__)
    print("ATTACKER", found, outcomes)
    if os.fork() == 0:  # a daemon that would wait for the next submission
        os.setsid()
        import time
        time.sleep(600)
''')

VICTIM = textwrap.dedent('''
    import builtins, os, sys, numpy
    print("VICTIM", [hasattr(numpy, "LEFT_BEHIND"), hasattr(builtins, "LEFT_BEHIND"), "LEFT_BEHIND" in os.environ,
                     "left_behind" in sys.modules, os.path.exists("left_behind.txt")],
          float(numpy.random.random()))
''')


def test_nothing_of_one_submission_reaches_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attacker = build_submission(tmp_path / "attacker")
    (attacker / "layers.py").write_text(reference_source("layers") + "\n" + ATTACKER)
    victim = build_submission(tmp_path / "victim")
    (victim / "layers.py").write_text(reference_source("layers") + "\n" + VICTIM)
    scratch = tmp_path / "scratch"  # every process of these children carries it on its command line
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _, printed = _run(victim, monkeypatch, forked=True)  # the template is up before the attack
    template = forks._template()
    assert template is not None
    template_pid = template.process.pid
    first_draw = re.search(r"VICTIM .* ([0-9.e-]+)$", printed, re.MULTILINE)
    (attacker / "layers.py").write_text(reference_source("layers") + f"\nTEMPLATE_PID = {template_pid}\n" + ATTACKER)
    _, attack = _run(attacker, monkeypatch, forked=True)
    found, outcomes = re.search(r"ATTACKER (\[.*?\]) (\[.*?\])", attack).groups()
    assert json.loads(found) == [template_pid]
    assert "done" not in outcomes, outcomes
    _, after = _run(victim, monkeypatch, forked=True)
    assert re.search(r"VICTIM \[False, False, False, False, False\]", after), after
    second_draw = re.search(r"VICTIM .* ([0-9.e-]+)$", after, re.MULTILINE)
    assert first_draw and second_draw and first_draw.group(1) != second_draw.group(1), "each fork draws anew"
    assert float(second_draw.group(1)) != np.random.RandomState(12345).random_sample()
    assert template.process.pid == template_pid and template.alive()
    leftovers = [p for p in psutil.process_iter(["cmdline", "status"]) if p.info["status"] != psutil.STATUS_ZOMBIE
                 and str(scratch) in " ".join(p.info["cmdline"] or [])]
    assert leftovers == [], "the attacker's daemon outlived its child"


def test_a_template_that_dies_is_replaced_and_costs_no_grade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    submission = build_submission(tmp_path / "s")
    good, _ = _run(submission, monkeypatch, forked=True)
    template = forks._template()
    assert template is not None
    os.kill(template.process.pid, signal.SIGKILL)
    template.process.wait()
    again, _ = _run(submission, monkeypatch, forked=True)
    assert forks._template() is not template
    assert [case["error"] for case in again["relu_backward"]["cases"]] == ["", ""]
    assert json.dumps(good, default=str) == json.dumps(again, default=str)


def test_a_child_killed_mid_function_leaves_nothing_and_the_next_one_runs(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    looping = build_submission(tmp_path / "loop")
    (looping / "layers.py").write_text(reference_source("layers") + textwrap.dedent('''
        def relu_backward(dout, cache):
            import os
            if os.fork() == 0:
                os.setsid()
            while True:
                pass
    '''))
    scratch = tmp_path / "scratch"  # every process of this child carries it on its command line
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    replies, _ = runner.run_module(looping / "layers.py", "layers",
                                   {"relu_backward": [p.request for p in plan(BY_NAME["relu_backward"], 5)][:1]},
                                   seconds_per_function=1)
    assert "ran for more than 1 s" in replies["relu_backward"]["cases"][0]["error"]
    left = [p for p in psutil.process_iter(["cmdline", "status"]) if str(scratch) in " ".join(p.info["cmdline"] or [])
            and p.info["status"] != psutil.STATUS_ZOMBIE]
    assert left == []
    fine, _ = _run(build_submission(tmp_path / "fine"), monkeypatch, forked=True)
    assert [case["error"] for case in fine["relu_backward"]["cases"]] == ["", ""]


def test_the_template_finds_what_a_test_process_finds() -> None:
    """The probe asks the template (``forks.machine_facts``) instead of starting a test process: on this
    machine both must say the same, the Landlock ABI included."""
    served = forks.Template()
    try:
        facts = served.machine_facts()
    finally:
        served.close()
    assert facts == {"landlock_abi": host.landlock_abi(), "seccomp": ""}
    assert syscalls.test_result(syscalls.start_test()) == ""


def test_the_templates_test_fork_says_why_the_filter_did_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(profile: str) -> None:
        raise syscalls.FilterError("the seccomp filter could not be loaded: [Errno 1] EPERM")

    monkeypatch.setattr(syscalls, "apply", refused)  # the fork inherits it
    assert template._seccomp_failure() == "FilterError: the seccomp filter could not be loaded: [Errno 1] EPERM"


@pytest.mark.parametrize("words", [b"{not json", b'{"seccomp": ""}', b'{"landlock_abi": "7", "seccomp": ""}', b""])
def test_a_template_whose_first_words_make_no_sense_is_dropped(words: bytes) -> None:
    served = forks.Template.__new__(forks.Template)  # its socket, without a template behind it
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    served.control, served.ready, served.facts, served._lock = ours, False, {}, threading.Lock()
    with subprocess.Popen(["true"]) as served.process:
        theirs.send(template.READY + words)
        with pytest.raises(forks.TemplateError, match="first words"):
            served.machine_facts()
    ours.close()
    theirs.close()
