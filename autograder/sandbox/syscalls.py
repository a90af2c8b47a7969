"""The seccomp filter a child applies to itself right after Landlock: syscalls Landlock does not cover.

Landlock decides which files and TCP ports a child reaches, but not: connecting to a pathname UNIX
socket (a classmate's, chmod-ed 0777), inotify and fanotify watches (seeing classmates' folders come
and go), kernel keyrings, System V IPC and POSIX message queues (channels between processes),
io_uring (which makes sockets without calling ``socket()``), file handles (``open_by_handle_at``
with the read capability a child keeps for a runtime under /root), clearing the parent-death signal,
chmod, ptrace and reading other processes' memory, new namespaces and mounts, BPF, perf events and
userfaultfd (kernel attack surface that no layer of a backward pass needs); and, for grading children,
files the folder's size check cannot see (``O_TMPFILE``, a file unlinked while held open) and disk reserved
without being written (``fallocate``). Each is refused with
EPERM, not killed, so student code that tries one gets a plain ``PermissionError`` and the grade
says what happened.

Two profiles: ``grading`` for the children that run submitted modules and answer cells, which need
no socket at all, and ``kernel`` for a notebook kernel, which keeps sockets and chmod for its
ZeroMQ channel (UNIX sockets in its own folder).

Why pyseccomp: libseccomp (Debian/Ubuntu ``libseccomp2``, the library systemd, runc and podman
filter with) compiles the rules to BPF, checks the architecture (a 32-bit or x32 syscall from an
x86-64 process is killed instead of slipping past numbers meant for another table), and resolves
names per architecture; pyseccomp is a single-file ctypes binding to it, API-compatible with
libseccomp's own Python bindings, which are not published as wheels. Writing the BPF by hand would
re-do exactly the parts that are easy to get wrong.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the test process imports this module and nothing else
    import subprocess

# Channels between processes, or ways around Landlock: refused in every confined process.
SHARED = (
    # files reached without a path Landlock checks, or watched without reading them
    "name_to_handle_at", "open_by_handle_at", "inotify_init", "inotify_init1", "inotify_add_watch",
    "fanotify_init", "fanotify_mark",
    # kernel keyrings: a store that outlives the process and is shared by uid
    "add_key", "request_key", "keyctl",
    # io_uring runs socket, connect, openat in the kernel, out of this filter's sight
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # System V IPC and POSIX message queues
    "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
    "shmget", "shmat", "shmdt", "shmctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
    "mq_notify", "mq_getsetattr",
    # other processes' memory and file descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "process_madvise",
    # new namespaces and mounts (a new user namespace would bring back capabilities to use on them)
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    # memory outside the address-space limit: a memfd's pages are no process's, so 1 GB per process
    # would not bound them (the grader's own memfd of inputs is made before and inherited)
    "memfd_create", "memfd_secret",
    # kernel attack surface a numpy function never needs
    "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "lookup_dcookie", "quotactl", "quotactl_fd", "acct", "swapon",
    "swapoff", "iopl", "ioperm", "vhangup",
)
# A grading child answers through files in its own folder: it needs no socket and no chmod. Nor does it remove
# a file: one unlinked while held open keeps its bytes where the folder's size check never sees them.
# Nor does it reserve disk without writing it: fallocate holds gigabytes a second, faster than any watch of the
# folder can stop it (a kernel's folder is a tmpfs whose size the kernel enforces, fallocate included).
GRADING_ONLY = ("socket", "socketpair", "chmod", "fchmod", "fchmodat", "fchmodat2", "unlink", "unlinkat", "rmdir",
                "fallocate")
# O_TMPFILE opens a file that has no name in the folder, for the same bytes (refused to grading children);
# __O_TMPFILE is the flag's own bit, O_TMPFILE also sets O_DIRECTORY.
TMPFILE_BIT = getattr(os, "O_TMPFILE", 0) & ~getattr(os, "O_DIRECTORY", 0)

PROFILES = {"grading": SHARED + GRADING_ONLY, "kernel": SHARED}

# Syscalls newer than some libseccomp releases still in use (Debian 12 ships 2.5.4): their numbers,
# the same on every architecture since Linux 5.1's unified table.
NEWER = {"fchmodat2": 452, "memfd_secret": 447}

# prctl options a confined process may not use: PR_SET_PDEATHSIG, which the sandbox set so that the
# child dies with whatever started it; cleared, a process that outlived the grader would run on.
PRCTL_DENIED = (1,)

# clone() flags that make a new namespace (CLONE_NEWTIME, NS, CGROUP, UTS, IPC, USER, PID, NET):
# unshare() is refused outright, clone() only with one of these.
CLONE_NEW = (0x00000080, 0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


class FilterError(RuntimeError):
    """The filter could not be built or loaded."""


@functools.cache
def _library() -> Any:
    """pyseccomp, or FilterError saying what to install."""
    from autograder.sandbox.libraries import found_by_soname

    try:
        with found_by_soname():
            import pyseccomp
    except ImportError as error:
        raise FilterError("the pyseccomp package is not installed (pip install pyseccomp)") from error
    except (OSError, RuntimeError) as error:  # pyseccomp raises RuntimeError when libseccomp is absent
        raise FilterError(f"libseccomp is missing ({error}): install libseccomp2") from error
    return pyseccomp


def unavailable() -> str:
    """Why no filter can be built in this process ("" when one can): what to install."""
    if not hasattr(os, "fork") or not os.path.isdir("/proc/self"):
        return "not Linux"
    try:
        _library()
    except FilterError as error:
        return str(error)
    return ""


def start_test() -> subprocess.Popen[str] | OSError:
    """A real process that loads the grading filter, for ``test_result``: a container's own filter may
    refuse seccomp() itself, which no check from inside the grader would see. Light on purpose: the
    grader starts it before importing numpy, so that it runs while the grader starts."""
    import subprocess

    kit_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    try:
        return subprocess.Popen([sys.executable, "-P", "-s", "-c", "from autograder.sandbox import syscalls; "
                                 "syscalls.apply('grading')"], env={"PYTHONPATH": kit_root}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except OSError as error:
        return error


def test_result(test: subprocess.Popen[str] | OSError) -> str:
    """Why a child could not load the syscall filter here ("" when it can), from ``start_test``'s process.
    Only when it could not is this process asked what is missing (which imports pyseccomp)."""
    import subprocess

    if isinstance(test, OSError):
        return unavailable() or f"a test process could not load the seccomp filter: {test}"
    try:
        _, errors = test.communicate(timeout=30)
    except subprocess.TimeoutExpired as error:
        test.kill()
        return unavailable() or f"a test process could not load the seccomp filter: {error}"
    finally:
        test.wait()
    if test.returncode == 0:
        return ""
    return unavailable() or f"a test process could not load the seccomp filter: {errors.strip().splitlines()[-1:]}"


def reported(failure: str) -> str:
    """``test_result``'s answer for a test that ended with ``failure`` ("" when it loaded the filter)."""
    return failure and (unavailable() or f"a test process could not load the seccomp filter: {failure}")


def _number(seccomp: Any, name: str) -> int | None:
    """The syscall's number on this architecture, or None where it has none."""
    number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
    if number == -1:  # a name this libseccomp does not know
        return NEWER.get(name)
    return number  # other negative numbers are libseccomp's stand-ins, which it handles per architecture


@functools.cache  # built once per process: the template builds it, and every fork of it loads that one
def build(profile: str) -> Any:
    """The filter of ``profile`` (``PROFILES``): everything allowed except the listed syscalls."""
    if profile not in PROFILES:
        raise FilterError(f"no syscall profile {profile!r}")
    seccomp = _library()
    deny = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, should one exist already
    for name in PROFILES[profile]:
        number = _number(seccomp, name)
        if number is not None:
            rules.add_rule(deny, number)
    # clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back
    # to clone(), whose flags it can (argument 0 on x86-64 and arm64).
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in CLONE_NEW:
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for option in PRCTL_DENIED:
        rules.add_rule(deny, "prctl", seccomp.Arg(0, seccomp.EQ, option))
    if profile == "grading" and TMPFILE_BIT:
        for name, flags in (("open", 1), ("openat", 2)):  # the argument that holds the flags
            if _number(seccomp, name) is not None:  # arm64 has no open()
                rules.add_rule(deny, name, seccomp.Arg(flags, seccomp.MASKED_EQ, TMPFILE_BIT, TMPFILE_BIT))
        # openat2 passes its flags in memory, like clone3: ENOSYS makes the C library use openat.
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "openat2")
    return rules


def apply(profile: str) -> None:
    """Load the filter of ``profile`` into this process, for good (and every process it starts)."""
    try:
        build(profile).load()
    except OSError as error:
        raise FilterError(f"the seccomp filter could not be loaded: {error}") from error
