"""What a child's reply must look like, checked by the grader before anything judges it.

The child is run by student code and can write any file it likes into its folder, so a reply is
rebuilt field by field from what is expected: float64 arrays, short strings, booleans. A reply of
the wrong shape costs only the cases (or the function) it was for, with a message that says so.
Every string is made ``printable`` here, on one line: error messages, key names and changed inputs
reach every report (terminal, report.txt, results.json, the gradebook, nbgrader's feedback) from
this one place, and none of them may carry an escape sequence or start a line of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.core.calling import error_reply
from autograder.core.printable import printable
from autograder.core.text import T_, Text
from autograder.sandbox import wire

MAX_TEXT = 500  # characters of an error message kept
MAX_KEYS = 64  # gradients or perturbed inputs per case; a real reply has at most 5
MALFORMED = T_("the reply for this case was malformed")
# A case's JSON: a few fields, arrays by number and one crash (an exception's first line and its source
# line, which the student's code chose, each cut at 400 characters by the child: at most 4 bytes each in
# UTF-8). A real one is under 1 KB, a crash of the longest lines about 6 KB (tests/sandbox/test_reply_bounds.py).
CASE_STRUCTURE_BYTES = 32 * 1024


class MalformedError(ValueError):
    """A reply field that is not what the child is meant to send."""


def failure(reason: str, count: int, import_failed: bool = False) -> list[dict[str, Any]]:
    """``count`` case replies that all carry the error ``reason``, which the grader wrote (``grader_text``:
    a student may read it whole; it may quote the student's file)."""
    shown = printable(reason, multiline=False)
    if isinstance(reason, Text) and shown == reason:  # kept a Text, to be said in the student's language
        shown = reason
    return [error_reply(shown, import_failed=import_failed) | {"grader_text": True} for _ in range(count)]


def _arrays_needed(request: dict[str, Any]) -> int:
    """The most arrays a true reply to one case request holds: the output, one gradient per array input
    (a dict input, clip_grad_norm's grads, as many as a returned dict may hold), one per perturbed input."""
    inputs = sum(MAX_KEYS if isinstance(value, dict) else isinstance(value, np.ndarray)
                 for value in request["args"].values())
    return 1 + inputs + len(request.get("perturb") or {})


def bounds(requests: list[dict[str, Any]]) -> wire.Bounds:
    """What the reply to ``requests`` may hold, for the reader to refuse more before parsing any of it."""
    return wire.Bounds(arrays=sum(map(_arrays_needed, requests)),
                       structure_bytes=CASE_STRUCTURE_BYTES * max(1, len(requests)))


def plain_text(value: Any) -> str:
    """One line of text that shows as it is stored, of at most MAX_TEXT characters."""
    if not isinstance(value, str):
        raise MalformedError("text expected")
    shown = printable(value[:MAX_TEXT], multiline=False)  # cut first: cleaning costs what it reads
    return shown if len(value) <= MAX_TEXT else shown + " ..."


def plain_array(value: Any) -> np.ndarray:
    """A float64 array, copied: the child sends nothing else (``calling._as_float_array``), and a narrower
    dtype would be widened, a copy larger than the reply it came in."""
    if isinstance(value, np.ndarray) and value.dtype != np.float64:
        raise MalformedError("float64 array expected")
    if not isinstance(value, np.ndarray | int | float) or isinstance(value, bool):
        raise MalformedError("array expected")
    return np.array(value, dtype=np.float64)


def _arrays(value: Any) -> dict[str, np.ndarray]:
    if not isinstance(value, dict) or len(value) > MAX_KEYS:
        raise MalformedError("a small dict of arrays expected")
    return {plain_text(key): plain_array(item) for key, item in value.items()}


def _case(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedError("a dict expected")
    case: dict[str, Any] = {"error": plain_text(value.get("error", "")),
                            "not_implemented": value.get("not_implemented") is True}
    if value.get("import_failed") is True:
        case["import_failed"] = True
    layout = value.get("cache_layout")
    if isinstance(layout, list) and len(layout) <= MAX_KEYS:
        case["cache_layout"] = [plain_text(line) for line in layout]
    if case["error"]:
        crash = value.get("crash")
        if isinstance(crash, dict):
            case["crash"] = _crash(crash)
        return case
    case["out"] = plain_array(value["out"])
    case["grads"] = _arrays(value["grads"])
    changed = value.get("changed", [])
    if not isinstance(changed, list) or len(changed) > MAX_KEYS:
        raise MalformedError("a list expected")
    case["changed"] = [plain_text(item) for item in changed]
    if "perturbed" in value:
        case["perturbed"] = _arrays(value["perturbed"])
    code = value.get("code")
    if isinstance(code, dict) and isinstance(code.get("line"), int) and not isinstance(code.get("line"), bool):
        case["code"] = {"name": plain_text(code.get("name", "")), "line": code["line"],
                        "file": plain_text(code.get("file", "")) if isinstance(code.get("file", ""), str) else ""}
    return case


def _crash(value: dict[str, Any]) -> dict[str, Any]:
    """``calling.crash_of``'s fields, each of its type (the grader checks ``line`` against the source)."""
    line = value.get("line")
    return {"type": plain_text(value.get("type", "")), "message": plain_text(value.get("message", "")),
            "file": plain_text(value.get("file", "")), "code": plain_text(value.get("code", "")),
            "function": plain_text(value.get("function", "")),
            "line": line if isinstance(line, int) and not isinstance(line, bool) else -1,
            "raised_there": value.get("raised_there") is True}


def clean(message: Any, count: int) -> list[dict[str, Any]]:
    """The ``count`` case replies of one function, rebuilt from an untrusted message."""
    cases = message.get("cases") if isinstance(message, dict) else None
    if not isinstance(cases, list) or len(cases) != count:
        return failure(T_("its reply was malformed (expected {count} cases)", count=count), count)
    rebuilt = []
    for case in cases:
        try:
            rebuilt.append(_case(case))
        except (MalformedError, KeyError, TypeError, ValueError, OverflowError, MemoryError):
            rebuilt.append(error_reply(MALFORMED) | {"grader_text": True})
    return rebuilt
