"""How a process that ran student code ended, in words for the student: the grader's side of the exit
codes a child ends with (``child``, ``confine``). Kept apart from ``child`` so that the grader reads them
without importing what only a child runs (the code guard, the limits, the student's module loader)."""

from __future__ import annotations

from autograder.core.text import T_
from autograder.core.walls import ended
from autograder.sandbox.confine import SETUP_FAILED

CANNOT_REPLY = 71  # exit code of a fork whose student code broke what it needs to send its reply


def exit_reason(code: int, cpu_seconds: int | None = None) -> str:
    """Why a process running student code stopped, from its exit code (negative: the signal)."""
    if code == SETUP_FAILED:
        return T_("the grader could not set up its sandbox, so your code was not run; this is not your fault: "
                  "please tell your TA")
    if code == CANNOT_REPLY:
        return T_("your code changed something the grader needs to send its answers (builtins, numpy or the "
                  "grader's own modules), so no answer came back")
    return ended(code, cpu_seconds)
