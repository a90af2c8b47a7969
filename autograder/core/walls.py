"""Say in plain words what the sandbox stopped when a student's code runs into one of its walls.

The child runs student code under limits and Landlock (``confine``). What the code then sees is a
bare ``PermissionError`` or ``MemoryError``; these sentences tell the student what happened and
what the limit is. Limits are read back from the process itself, so the numbers are the real ones.
"""

from __future__ import annotations

import errno
import resource
import signal

from autograder.core.text import T_

_NETWORK = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL}


def _limit(name: str) -> int | None:
    which = getattr(resource, name, None)
    if which is None:
        return None
    soft, _ = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY else soft


def _with_limit(text: str, name: str, unit: float = 1.0, suffix: str = "") -> str:
    limit = _limit(name)
    return text if limit is None else f"{text} (limit {limit / unit:g}{suffix})"


def explain(error: BaseException) -> str:
    """What the student's code ran into, as the end of "your code ...", or "" if not a sandbox wall."""
    if isinstance(error, MemoryError):
        return _with_limit("ran out of memory", "RLIMIT_AS", 2**30, " GB")
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return "tried to start more threads than allowed"
    if not isinstance(error, OSError):
        return ""
    if error.errno in (errno.EACCES, errno.EPERM):
        if error.filename is not None:
            return f"was not allowed to use {error.filename}: while grading it may read and write only its own folder"
        return ("was stopped from doing that: while grading it may not use the network, other processes, or "
                "files outside its own folder")
    if error.errno in _NETWORK:
        return "tried to use the network, which is switched off while grading"
    if error.errno == errno.EAGAIN:
        return "tried to start more processes than allowed"
    if error.errno == errno.EMFILE:
        return _with_limit("opened more files at once than allowed", "RLIMIT_NOFILE")
    if error.errno == errno.EFBIG:
        return _with_limit("wrote more than allowed into one file or its printed output", "RLIMIT_FSIZE", 2**20,
                           " MB")
    return ""


def ended(code: int, cpu_seconds: int | None = None) -> str:
    """Why a process running student code stopped, from its exit code (negative: the signal)."""
    if code >= 0:
        return T_("your code ended the process running it (exit code {code})", code=code)
    number = -code
    cpu = T_(" (limit {seconds} s)", seconds=cpu_seconds) if cpu_seconds else ""
    if number == signal.SIGXCPU:
        return T_("your code used up its CPU time{limit}", limit=cpu)
    if number == signal.SIGKILL:
        return T_("the process running your code was killed (SIGKILL); it may have used up its CPU time{limit} or "
                  "memory", limit=cpu)
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
    return T_("the process running your code was killed by {name}", name=name)
