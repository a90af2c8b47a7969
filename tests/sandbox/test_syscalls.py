"""Syscalls that Landlock does not cover, tried from inside a real grading child.

Each attack is made with the raw syscall (ctypes), as a student past the code guard could: reading a forbidden file
through a file handle, reaching a classmate's pathname UNIX socket, a kernel keyring, io_uring (which
can make sockets without calling socket()), inotify, System V shared memory, a new namespace. The
probe is appended to the reference ``rnn_layers.py``, so its own answers are right and must keep
full marks: the filter must not get in the way of honest code.
"""

from __future__ import annotations

import ast
import errno
import os
import platform
import socket
import textwrap
from pathlib import Path

import pytest
from arena import Arena

from autograder import DEFAULT_REFERENCE
from autograder.grading.grade import grade
from autograder.sandbox import host

pytestmark = [
    pytest.mark.skipif(not host.current().landlock, reason="needs Landlock (Linux >= 5.13)"),
    pytest.mark.skipif(platform.machine() != "x86_64", reason="the probe's syscall numbers are x86_64's"),
]

PROBE = textwrap.dedent('''
    import ctypes, os, socket, sysconfig

    OPENAT2 = []
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.syscall.restype = ctypes.c_long
    _NR = {"name_to_handle_at": 303, "open_by_handle_at": 304, "add_key": 248, "keyctl": 250,
           "io_uring_setup": 425, "inotify_init1": 294, "fanotify_init": 300, "userfaultfd": 323,
           "shmget": 29, "msgget": 68, "semget": 64, "unshare": 272, "perf_event_open": 298, "bpf": 321,
           "ptrace": 101, "mq_open": 240, "chmod": 90, "memfd_create": 319, "open": 2, "openat": 257,
           "unlink": 87, "unlinkat": 263, "rmdir": 84, "openat2": 437, "fallocate": 285}

    def _call(name, *args):
        """The syscall's result, or minus its errno."""
        result = _libc.syscall(_NR[name], *args)
        return result if result >= 0 else -ctypes.get_errno()

    class _Handle(ctypes.Structure):
        _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                    ("f_handle", ctypes.c_char * 128)]

    def _probe():
        seen = {}
        handle, mount_id = _Handle(handle_bytes=128), ctypes.c_int()
        seen["name_to_handle_at"] = _call("name_to_handle_at", -100, FORBIDDEN.encode(), ctypes.byref(handle),
                                          ctypes.byref(mount_id), 0)
        here = os.open(sysconfig.get_paths()["stdlib"], os.O_RDONLY | os.O_DIRECTORY)  # same file system
        opened = _call("open_by_handle_at", here, ctypes.byref(handle), os.O_RDONLY)
        seen["open_by_handle_at"] = opened
        if opened >= 0:
            seen["stolen"] = os.read(opened, 100_000).decode(errors="replace")[:80]
        seen["add_key"] = _call("add_key", b"user", b"answers", b"42", 2, ctypes.c_int(-4))  # the user keyring
        seen["keyctl"] = _call("keyctl", 0, ctypes.c_int(-4), 0)  # KEYCTL_GET_KEYRING_ID
        seen["io_uring_setup"] = _call("io_uring_setup", 4, (ctypes.c_char * 120)())
        seen["inotify_init1"] = _call("inotify_init1", 0)
        seen["fanotify_init"] = _call("fanotify_init", 0, 0)
        seen["userfaultfd"] = _call("userfaultfd", 0)
        seen["shmget"] = _call("shmget", 0, 4096, 0o1666)
        seen["msgget"] = _call("msgget", 0, 0o1666)
        seen["semget"] = _call("semget", 0, 1, 0o1666)
        seen["mq_open"] = _call("mq_open", b"answers", os.O_CREAT | os.O_RDWR, 0o666, None)
        seen["unshare"] = _call("unshare", 0x10000000)  # CLONE_NEWUSER: a fresh user namespace
        seen["perf_event_open"] = _call("perf_event_open", (ctypes.c_char * 128)(), 0, -1, -1, 0)
        seen["bpf"] = _call("bpf", 0, (ctypes.c_char * 128)(), 128)
        seen["ptrace"] = _call("ptrace", 0, 0, 0, 0)  # PTRACE_TRACEME
        seen["chmod"] = _call("chmod", b".", 0o777)
        seen["memfd_create"] = _call("memfd_create", b"hoard", 0)  # memory outside the 1 GB limit
        # Files the folder's size check cannot see: made without a name, or unlinked while held open.
        seen["open O_TMPFILE"] = _call("open", b".", os.O_TMPFILE | os.O_WRONLY, 0o600)
        seen["openat O_TMPFILE"] = _call("openat", -100, b".", os.O_TMPFILE | os.O_WRONLY, 0o600)
        with open("hoard", "wb") as hoard:
            hoard.write(b"x")
        reserved = os.open("reserved", os.O_RDWR | os.O_CREAT, 0o600)
        seen["fallocate"] = _call("fallocate", reserved, 0, ctypes.c_long(0), ctypes.c_long(64 << 20))  # unwritten
        os.close(reserved)
        seen["unlink"] = _call("unlink", b"hoard")
        seen["unlinkat"] = _call("unlinkat", -100, b"hoard", 0)
        seen["rmdir"] = _call("rmdir", b".")
        how = (ctypes.c_uint64 * 3)(os.O_TMPFILE | os.O_WRONLY, 0o600, 0)  # struct open_how
        OPENAT2.append(_call("openat2", -100, b".", how, ctypes.sizeof(how)))
        try:
            client = socket.socket(socket.AF_UNIX)
            seen["socket"] = 0
            try:
                client.connect(CLASSMATE)
                seen["connect"] = 0
            except OSError as error:
                seen["connect"] = -error.errno
        except OSError as error:
            seen["socket"] = -error.errno
        print("PROBE", seen, flush=True)
        print("OPENAT2", OPENAT2[0], flush=True)

    _probe()
''')


def _probe(arena: Arena, classmate: Path) -> tuple[dict[str, object], bool]:
    """What each syscall returned inside the child, and whether the reference code kept full marks."""
    forbidden = DEFAULT_REFERENCE / "layers.py"
    code = f"FORBIDDEN = {str(forbidden)!r}\nCLASSMATE = {str(classmate)!r}\n{PROBE}"
    result = grade(arena.build("rnn_layers", code), arena.reference, 3, seconds_per_function=7)
    printed = result.printed["rnn_layers"].splitlines()
    line = next(line for line in printed if line.startswith("PROBE"))
    seen = ast.literal_eval(line[len("PROBE "):])
    seen["openat2"] = int(next(line for line in printed if line.startswith("OPENAT2")).split()[1])
    return seen, result.score == result.max_score


@pytest.fixture
def classmate(tmp_path: Path):
    """A pathname UNIX socket a colluding classmate left open to everyone, as a grading child could."""
    folder = tmp_path / "classmate"
    folder.mkdir(mode=0o755)
    tmp_path.chmod(0o755)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "answers.sock"))
    server.listen()
    server.setblocking(False)
    os.chmod(folder / "answers.sock", 0o777)
    yield folder / "answers.sock", server
    server.close()


def test_syscalls_landlock_does_not_cover_are_refused(arena: Arena, classmate, past_the_code_guard) -> None:
    path, server = classmate
    seen, full_marks = _probe(arena, path)
    assert "stolen" not in seen, f"read the reference through a file handle: {seen['stolen']!r}"
    # openat2 passes its flags in memory the filter cannot read: ENOSYS, so that a C library falls back to openat.
    assert seen.pop("openat2") == -errno.ENOSYS
    let_through = {name: value for name, value in seen.items() if value != -errno.EPERM}
    assert let_through == {}, f"not refused with EPERM (value or -errno): {let_through}"
    with pytest.raises(BlockingIOError):
        server.accept()
    assert full_marks, "the filter got in the way of honest code"


def test_the_code_guard_refuses_the_probe_first(arena: Arena, classmate) -> None:
    code = f"FORBIDDEN = {str(DEFAULT_REFERENCE / 'layers.py')!r}\nCLASSMATE = {str(classmate[0])!r}\n{PROBE}"
    result = grade(arena.build("rnn_layers", code), arena.reference, 3, seconds_per_function=7)
    assert "PROBE" not in result.printed["rnn_layers"]
    assert "tried to run code that is not written in its files" in result.module_problems["rnn_layers"]


def test_the_filter_is_reported() -> None:
    summary = host.current().summary()
    assert "syscalls ✓" in summary, summary
