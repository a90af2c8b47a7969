"""Shut the child in, from inside, before the student's code is imported: limits, Landlock, then the
seccomp filter (``syscalls``) for what Landlock does not cover.

The grader decides the policy (``host``) and passes it on the command line, where nothing the
student's code did in an earlier child can change it. Any layer the policy asks for and that fails
to apply is an error: the child then refuses to run student code rather than run it unprotected.
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SETUP_FAILED = 70  # exit code: the sandbox could not be set up, no student code ran


class ConfineError(RuntimeError):
    """A protection the grader asked for could not be applied."""


def _tasks_of(uid: int) -> int:
    """How many processes and threads ``uid`` runs now: the kernel's RLIMIT_NPROC counts them all."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if line.startswith(("Uid:", "Threads:")))
        except (OSError, ValueError):
            continue  # it ended while we looked
        if int(fields.get("Uid", "-1 ").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def apply_limits(limits: dict[str, int]) -> None:
    """Set soft = hard for every limit, so the student's code cannot raise any of them."""
    def cap(which: int, value: int) -> None:
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, limits["cpu_seconds"])
    cap(resource.RLIMIT_FSIZE, limits["file_bytes"])
    cap(resource.RLIMIT_NOFILE, limits["open_files"])
    if hasattr(resource, "RLIMIT_AS"):
        cap(resource.RLIMIT_AS, limits["memory_bytes"])
    if limits.get("own_uid"):  # leased for this process alone (``uids``): all it may run, itself included
        cap(resource.RLIMIT_NPROC, limits["extra_processes"])
    elif os.path.isdir("/proc"):  # Linux: count the user's tasks; elsewhere a plain cap
        cap(resource.RLIMIT_NPROC, _tasks_of(os.getuid()) + limits["extra_processes"])
    else:
        cap(resource.RLIMIT_NPROC, limits["extra_processes"])


def apply_landlock(readable: Sequence[str], writable: Sequence[str], workspace: Sequence[str] = ()) -> int:
    """Allow reading ``readable``, reading + writing files in ``writable``, and in ``workspace`` also
    making folders and sockets (a notebook kernel's own folder and its ZeroMQ channel); deny
    everything else the kernel can restrict: other files, executing, TCP, signals and abstract
    sockets outside. Returns the ABI version applied."""
    import landlockpy
    from landlockpy import AccessFS, Ruleset, Scope

    from autograder.sandbox.libraries import found_by_soname

    tasks = os.listdir("/proc/self/task")
    with found_by_soname():  # its first call loads libc (a forked child's template has done it already)
        abi = landlockpy.abi_version()
    if len(tasks) > 1 and abi < 8:  # before ABI 8 a ruleset binds only the calling thread
        raise ConfineError(f"the child has {len(tasks)} threads; Landlock would bind only one")
    read_dir = AccessFS.READ_FILE | AccessFS.READ_DIR
    write = read_dir | AccessFS.WRITE_FILE | AccessFS.MAKE_REG | AccessFS.REMOVE_FILE | AccessFS.TRUNCATE
    own = write | AccessFS.MAKE_DIR | AccessFS.REMOVE_DIR | AccessFS.MAKE_SOCK
    file_rights = AccessFS.READ_FILE | AccessFS.WRITE_FILE | AccessFS.TRUNCATE  # rights a single file can take
    with Ruleset(scoped=Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET) as ruleset:
        for paths, rights in ((readable, read_dir), (writable, write), (workspace, own)):
            for path in paths:
                ruleset.allow_path(path, rights if Path(path).is_dir() else rights & file_rights)
        flags = landlockpy.RestrictFlag.TSYNC if len(tasks) > 1 else landlockpy.RestrictFlag.NONE
        ruleset.restrict(flags)
    return abi


def confine(policy: dict[str, Any]) -> None:
    """Apply the grader's policy: ``{"limits": {...}, "landlock": bool, "readable": [...], "writable": [...],
    "syscalls": profile or ""}``, plus ``"workspace": [...]`` for a notebook kernel.

    The filter is built first, while libseccomp can still be found and read (Landlock then hides the
    system's libraries from a grading child), and loaded last, so it also covers what Landlock left.
    """
    from autograder.sandbox import syscalls

    try:
        rules = syscalls.build(policy["syscalls"]) if policy.get("syscalls") else None
        apply_limits(policy["limits"])
        if policy["landlock"]:
            apply_landlock(policy["readable"], policy["writable"], policy.get("workspace", []))
        if rules is not None:
            rules.load()
    except ConfineError:
        raise
    except (OSError, ValueError, ImportError, syscalls.FilterError) as error:
        raise ConfineError(f"{type(error).__name__}: {error}") from error


def shut_in(policy: dict[str, Any], keep_off_path: tuple[str, ...] = ()) -> None:
    """Apply ``policy`` from inside a child, or end it with SETUP_FAILED before any student code runs.
    Then only the runtime stays importable: not the kit's checkout (its solutions), nor ``keep_off_path``."""
    try:
        confine(policy)
    except ConfineError as error:
        print(f"grader: the sandbox could not be set up: {error}", file=sys.stderr)
        sys.exit(SETUP_FAILED)
    hidden = {str(Path(__file__).resolve().parents[2]), *keep_off_path}  # the checkout
    sys.path[:] = [entry for entry in sys.path if entry and os.path.abspath(entry) not in hidden]
