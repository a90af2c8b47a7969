"""Classmates graded at the same time: ``grade-all -j 2`` over honest students next to a griefer and a
colluding pair. Whatever the griefer and the pair do, every student's grade must be exactly the one
it gets graded alone with the same seed, and nothing may be left on the machine afterwards. The children
have no code guard here (``PAST_THE_CODE_GUARD``, so graded as opted in to less): the griefer and the pair
reach the system through ctypes, as an attacker past the guard would.

- honest: two copies of the reference and two known bugs from the corpus;
- the griefer's code is correct, but while it is graded it watches the temp folder with inotify,
  chmods 000 every folder it can name, sends SIGKILL to every pid it can guess, fills /dev/shm and
  /tmp, and grabs System V shared memory: it must keep full marks and take nobody's;
- the publisher's code is correct and offers its source through System V shared memory, a pathname
  UNIX socket (chmod 0777) in its folder, an abstract socket, a kernel keyring and files in /tmp and
  /dev/shm; the copier is the skeleton and tries every one of them for a few seconds, then runs
  what it got: it must score exactly what a skeleton scores, 0 for every function.

The pair are named to be graded first, side by side (two threads take the first two students).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, PAST_THE_CODE_GUARD, build_submission, flagging_reference, reference_source

from autograder import DEFAULT_RELEASE, KIT_ROOT
from autograder.sandbox import host

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.alone,  # /dev/shm and System V IPC are compared before and after: a test beside it changes them
    pytest.mark.skipif(not host.current().landlock or os.geteuid() != 0,
                       reason="concurrent students need the whole sandbox: Linux, Landlock, root"),
    pytest.mark.skipif(platform.machine() != "x86_64", reason="the keyring attacks use x86_64's syscall numbers"),
]

LINGER = 4.0  # seconds each hostile student keeps at it, so that it overlaps its neighbours

CHANNELS = '''
import ctypes, os, socket, time

_LIBC = ctypes.CDLL(None, use_errno=True)
_KEY = 0x6270_6b21  # the System V key both colluders agreed on
_NAMES = ["/tmp/bpk-answers", "/dev/shm/bpk-answers", "/tmp/aa_publisher/bpk-answers"]


def _quietly(action, *args):
    try:
        return action(*args)
    except Exception:
        return None
'''

PUBLISHER = CHANNELS + '''

def _publish():
    source = open(__file__, "rb").read() if "__file__" in globals() else b""
    segment = _LIBC.shmget(_KEY, 1 << 20, 0o1666)
    if segment >= 0:
        _LIBC.shmat.restype = ctypes.c_void_p
        address = _LIBC.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(address, source[:1 << 20], min(len(source), 1 << 20))
    for name in _NAMES:
        _quietly(lambda path: open(path, "wb").write(source), name)
    _LIBC.syscall(248, b"user", b"bpk-answers", source[:30000], len(source[:30000]), -4)  # add_key, user keyring
    servers = []
    for address in ("\\0bpk-answers", os.path.abspath("answers.sock")):
        try:
            server = socket.socket(socket.AF_UNIX)
            server.bind(address)
            server.listen()
        except OSError:
            continue
        if not address.startswith("\\0"):
            _quietly(os.chmod, address, 0o777)
        server.settimeout(0.05)
        servers.append(server)
    ends = time.monotonic() + LINGER
    while servers and time.monotonic() < ends:
        for server in servers:
            client = _quietly(lambda: server.accept()[0])
            if client is not None:
                _quietly(client.sendall, source)
                client.close()


_publish()
'''

COPIER = CHANNELS + '''

def _read_socket(address):
    client = socket.socket(socket.AF_UNIX)
    client.settimeout(1)
    client.connect(address)
    data = b""
    while chunk := client.recv(1 << 16):
        data += chunk
    return data


def _find_sockets():
    """Where a classmate's folder may be: watch the temp folder, and walk it."""
    found = []
    watch = _LIBC.inotify_init1(os.O_NONBLOCK)
    if watch >= 0:
        _LIBC.inotify_add_watch(watch, b"/tmp", 0x100)
    for root in ("/tmp", os.path.dirname(os.path.dirname(os.getcwd()))):
        for folder, _, files in _quietly(lambda: list(os.walk(root))) or []:
            found += [os.path.join(folder, name) for name in files if name.endswith(".sock")]
    return found


def _copy():
    ends = time.monotonic() + LINGER
    while time.monotonic() < ends:
        segment = _LIBC.shmget(_KEY, 0, 0)
        if segment >= 0:
            _LIBC.shmat.restype = ctypes.c_void_p
            address = _LIBC.shmat(segment, None, 0o10000)  # SHM_RDONLY
            if address not in (None, ctypes.c_void_p(-1).value):
                return ctypes.string_at(address)
        for name in _NAMES:
            got = _quietly(lambda path: open(path, "rb").read(), name)
            if got:
                return got
        serial = _LIBC.syscall(249, b"user", b"bpk-answers", None, 0)  # request_key
        if serial >= 0:
            buffer = ctypes.create_string_buffer(30000)
            if _LIBC.syscall(250, 11, serial, buffer, 30000) > 0:  # keyctl(KEYCTL_READ)
                return buffer.value
        for address in ["\\0bpk-answers", *_find_sockets()]:
            got = _quietly(_read_socket, address)
            if got:
                return got
        time.sleep(0.1)
    return b""


_STOLEN = _copy()
if _STOLEN:
    exec(compile(_STOLEN, "stolen", "exec"), globals())
'''

GRIEFER = CHANNELS + '''
import glob, signal


def _grief():
    ends = time.monotonic() + LINGER
    watch = _LIBC.inotify_init1(os.O_NONBLOCK)
    if watch >= 0:
        _LIBC.inotify_add_watch(watch, b"/tmp", 0x100)  # IN_CREATE: every new scratch folder
    _LIBC.shmget(0, 256 << 20, 0o1666)
    for name in ("/dev/shm/bpk-fill", "/tmp/bpk-fill"):
        _quietly(lambda path: open(path, "wb").write(b"\\0" * (64 << 20)), name)
    me = {os.getpid(), os.getppid(), 0, 1}
    while time.monotonic() < ends:
        for folder in ["/tmp", *glob.glob("/tmp/*"), *glob.glob("/tmp/*/*"), os.path.dirname(os.getcwd())]:
            if not os.getcwd().startswith(folder):
                _quietly(os.chmod, folder, 0)
        for pid in range(2, 4000):
            if pid not in me:
                _quietly(os.kill, pid, signal.SIGKILL)
        time.sleep(0.05)


_grief()
'''


def _students(root: Path) -> Path:
    """Honest, hostile and colluding students, one folder each."""
    for name in ("honest_ref1", "honest_ref2"):
        build_submission(root / name)
    build_submission(root / "honest_bug1", CORPUS / "buggy" / "affine_dx_no_transpose.py")
    build_submission(root / "honest_bug2", CORPUS / "buggy" / "relu_inverted_mask.py")
    prelude = f"LINGER = {LINGER}\n"
    publisher = build_submission(root / "aa_publisher")
    (publisher / "layers.py").write_text(reference_source("layers") + "\n" + prelude + PUBLISHER)
    copier = root / "ab_copier"
    copier.mkdir()
    for module in ("layers", "rnn_layers"):
        (copier / f"{module}.py").write_text((DEFAULT_RELEASE / f"{module}.py").read_text() + "\n" + prelude + COPIER)
    griefer = build_submission(root / "ac_griefer")
    for module in ("layers", "rnn_layers"):
        (griefer / f"{module}.py").write_text(reference_source(module) + "\n" + prelude + GRIEFER)
    return root


def _system_v() -> str:
    return subprocess.run(["ipcs"], capture_output=True, text=True, check=True).stdout


def _grade_all(students: Path, out: Path, temp: Path, reference: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(students), "--out", str(out),
                           "-j", "2", "--reference", str(reference)], cwd=KIT_ROOT, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL,
                          env={**os.environ, "TMPDIR": str(temp), **PAST_THE_CODE_GUARD})


def _alone(folder: Path, seed: int, where: Path, temp: Path, reference: Path) -> dict:
    """The student graded on its own, with the seed its batch grade drew."""
    results = where / f"{folder.name}.json"
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--json", str(results), "--seed",
                    str(seed), "--reference", str(reference)], cwd=KIT_ROOT, capture_output=True, check=True,
                   timeout=300, stdin=subprocess.DEVNULL,
                   env={**os.environ, "TMPDIR": str(temp), **PAST_THE_CODE_GUARD})
    return json.loads(results.read_text())


def _scores(results: dict) -> dict[str, float]:
    return {test["name"]: test["score"] for test in results["tests"]}


def _by_function(results: dict) -> dict[str, tuple[float, float]]:
    totals: dict[str, tuple[float, float]] = {}
    for test in results["tests"]:
        name = test["name"].split(":")[0]
        got, most = totals.get(name, (0.0, 0.0))
        totals[name] = (got + test["score"], most + test["max_score"])
    return totals


def test_classmates_graded_together_get_what_they_get_alone(tmp_path: Path) -> None:
    students = _students(tmp_path / "students")
    temp = tmp_path / "temp"
    temp.mkdir(mode=0o755)
    shm_before, system_v_before = sorted(os.listdir("/dev/shm")), _system_v()

    # The griefer's and the pair's helpers use code the source reader cannot read, which the default
    # rubric scores 0; here the question is what they do to each other, so it only flags them.
    reference = flagging_reference(tmp_path / "reference")
    batch = _grade_all(students, tmp_path / "out", temp, reference)

    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert list(temp.iterdir()) == [], "scratch folders left behind"
    assert sorted(os.listdir("/dev/shm")) == shm_before
    assert _system_v() == system_v_before
    assert not Path("/tmp/bpk-answers").exists() and not Path("/tmp/bpk-fill").exists()
    together = {s.name: json.loads((tmp_path / "out" / s.name / "results.json").read_text())
                for s in students.iterdir()}
    alone = {name: _alone(students / name, results["extra_data"]["seed"], tmp_path, temp, reference)
             for name, results in together.items()}
    for name in together:
        assert _scores(together[name]) == _scores(alone[name]), f"{name} scored differently next to its classmates"
    assert together["honest_ref1"]["score"] == together["honest_ref1"]["extra_data"]["max_score"]
    assert together["ac_griefer"]["score"] == together["ac_griefer"]["extra_data"]["max_score"], "griefer hurt itself"
    assert together["aa_publisher"]["score"] == together["aa_publisher"]["extra_data"]["max_score"]
    copied = _by_function(together["ab_copier"])
    assert copied and all(got == 0 for got, _ in copied.values()), f"the copier got points: {copied}"
    for name in ("honest_bug1", "honest_bug2"):
        assert 0 < together[name]["score"] < together[name]["extra_data"]["max_score"]
    assert list(temp.iterdir()) == []
    shutil.rmtree(temp)
