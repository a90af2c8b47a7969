"""Say in plain words what the sandbox stopped when a student's code runs into one of its walls.

The child runs student code under limits and Landlock (``confine``). What the code then sees is a
bare ``PermissionError`` or ``MemoryError``; these sentences tell the student what happened and
what the limit is. Limits are read back from the process itself, so the numbers are the real ones.
"""

from __future__ import annotations

import errno
import re
import resource
import signal

from autograder.core.language import N_
from autograder.core.text import T_, Text

_NETWORK = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL}


def _limit(name: str) -> int | None:
    which = getattr(resource, name, None)
    if which is None:
        return None
    soft, _ = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY else soft


def _with_limit(text: str, name: str, unit: float = 1.0, suffix: str = "") -> str:
    limit = _limit(name)
    return text if limit is None else LIMITED.format(text=text, limit=f"{limit / unit:g}{suffix}")


# The walls' sentences, written in the child as plain English (it sends text); ``said_again`` makes a Text
# of one, so that the grader says it in the reader's language.
OUT_OF_MEMORY = N_("ran out of memory")
THREADS = N_("tried to start more threads than allowed")
NOT_ALLOWED = N_("was not allowed to use {path}: while grading it may read and write only its own folder")
STOPPED = N_("was stopped from doing that: while grading it may not use the network, other processes, or "
             "files outside its own folder")
NETWORK = N_("tried to use the network, which is switched off while grading")
PROCESSES = N_("tried to start more processes than allowed")
FILES = N_("opened more files at once than allowed")
WRITTEN = N_("wrote more than allowed into one file or its printed output")
UNREAD_CODE = N_("tried to run code that is not written in its files (text given to exec, eval or compile, "
                 "pickled or marshalled code, ctypes, or a module it wrote): while grading, every line that runs "
                 "must be in your module itself")
OUT_OF_REACH = N_("tried to reach the grader's own objects or how Python runs them (the garbage collector's lists, "
                  "a trace or profile function, a new interpreter): while grading, your code may use only what "
                  "it is given")
LIMITED = N_("{text} (limit {limit})")
WALLS = (OUT_OF_MEMORY, THREADS, NOT_ALLOWED, STOPPED, NETWORK, PROCESSES, FILES, WRITTEN, UNREAD_CODE, OUT_OF_REACH)


class UnreadCodeError(RuntimeError):
    """The child refused to make code the grader has not read (``sandbox.code_guard``); the message says
    what was refused, for the TA."""


class OutOfReachError(UnreadCodeError):
    """The child refused to hand out the objects and hooks through which code could reach the guard
    itself (``sandbox.code_guard``)."""


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"(\{\w+\})", template)
    return re.compile("".join(f"(?P<{piece[1:-1]}>.*)" if re.fullmatch(r"\{\w+\}", piece) else re.escape(piece)
                              for piece in pieces), re.S)


_WALLS = [(template, _pattern(template)) for template in WALLS]
_LIMITED = _pattern(LIMITED)


def said_again(explained: str) -> str:
    """``explain``'s sentence as a Text (the same English), or as it is if it is not one of them."""
    limited = _LIMITED.fullmatch(explained)
    text, limit = (limited["text"], limited["limit"]) if limited else (explained, None)
    for template, pattern in _WALLS:
        found = pattern.fullmatch(text)
        if found is not None:
            wall = Text(template, found.groupdict())
            said = wall if limit is None else Text(LIMITED, {"text": wall, "limit": limit})
            return said if said == explained else explained
    return explained


def explain(error: BaseException) -> str:
    """What the student's code ran into, as the end of "your code ...", or "" if not a sandbox wall."""
    if isinstance(error, MemoryError):
        return _with_limit(OUT_OF_MEMORY, "RLIMIT_AS", 2**30, " GB")
    if isinstance(error, OutOfReachError):
        return OUT_OF_REACH
    if isinstance(error, UnreadCodeError):
        return UNREAD_CODE
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return THREADS
    if not isinstance(error, OSError):
        return ""
    if error.errno in (errno.EACCES, errno.EPERM):
        if error.filename is not None:
            return NOT_ALLOWED.format(path=error.filename)
        return STOPPED
    if error.errno in _NETWORK:
        return NETWORK
    if error.errno == errno.EAGAIN:
        return PROCESSES
    if error.errno == errno.EMFILE:
        return _with_limit(FILES, "RLIMIT_NOFILE")
    if error.errno == errno.EFBIG:
        return _with_limit(WRITTEN, "RLIMIT_FSIZE", 2**20, " MB")
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
