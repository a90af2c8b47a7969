"""Entry point of the process that runs a notebook's answer code:
``python -m autograder.integrations.nbgrader.answer_child ROOT POLICY SECONDS``.

It reads ``ROOT/request.bin`` ({"answers": {grade id: {"cells", "setup", "calls"}}}), shuts itself in
with POLICY (``confine``), and answers each in a fork of itself: it runs the student's answer cells
with numpy as ``np`` (the last one is the answer's own: only its failure counts), then the test's
setup, then evaluates each call, and writes
``ROOT/work/answer-<grade id>.bin``: {"values": [{"array"} | {"none"} | {"error"}], "error"}. A fork
that runs past SECONDS is killed and its answer says so. Only values cross: the grader compares them.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np  # imported before anything of the student's runs

from autograder.core.calling import describe_exception
from autograder.core.language import N_
from autograder.sandbox import wire
from autograder.sandbox.confine import shut_in

# What this child says of an answer, as templates: the grader, reading the reply, says them again in the
# student's language (``answer_cells.said``); the fields (Python's own words among them) stay as they are.
MISSING_NAME = N_("{error}: an answer is checked from its notebook's answer cells alone, with numpy as np; "
                  "define what it needs inside its own cell")
NOT_A_VALUE = N_("expected a number or an array, got {kind}")
TOO_LARGE = N_("the answer has {count} elements")
CELL_RAISED = N_("your answer cell raised {error}")
SETUP_FAILED = N_("the test's setup failed: {error}")
NOT_WRITTEN = N_("not written yet: replace `raise NotImplementedError()` in its cell")
RAISED = N_("raised {error}")
CANNOT_START = N_("the grader could not start it ({error}); this is not your fault: please tell your TA")
TOO_LONG = N_("it ran for more than {seconds} s")
ENDED = N_("it ended the process ({code})")
WORDS = (MISSING_NAME, NOT_A_VALUE, TOO_LARGE, CELL_RAISED, SETUP_FAILED, NOT_WRITTEN, RAISED, CANNOT_START,
         TOO_LONG, ENDED)


def reply_name(grade_id: str) -> str:
    """The file an answer's reply goes to: the grade id, with nothing in it that paths treat specially."""
    return "answer-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in grade_id) + ".bin"


def _value(result: Any) -> dict[str, Any]:
    if result is None:
        return {"none": True}
    try:
        array = np.array(result, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return {"error": NOT_A_VALUE.format(kind=type(result).__name__)}
    return {"array": array} if array.size <= 100_000 else {"error": TOO_LARGE.format(count=array.size)}


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    namespace: dict[str, Any] = {"np": np, "__name__": "__answer__"}
    for number, source in enumerate(request["cells"], start=1):
        try:
            exec(compile(source, "<your answer cell>", "exec"), namespace)
        except BaseException as error:
            if number == len(request["cells"]):  # this answer's own cell; the ones above are other answers
                return {"values": [], "error": CELL_RAISED.format(error=describe_exception(error))}
    try:
        for statement in request["setup"]:
            exec(statement, namespace)
    except BaseException as error:
        return {"values": [], "error": SETUP_FAILED.format(error=describe_exception(error))}
    values = []
    for call in request["calls"]:
        try:
            values.append(_value(eval(call, namespace)))
        except NotImplementedError:
            return {"values": [], "error": NOT_WRITTEN}
        except NameError as error:
            values.append({"error": MISSING_NAME.format(error=error)})
        except BaseException as error:
            values.append({"error": RAISED.format(error=describe_exception(error))})
    return {"values": values, "error": ""}


def _answer_apart(request: dict[str, Any], reply: Path, seconds: float) -> None:
    try:
        pid = os.fork()
    except OSError as error:  # no room for one more process: say so, for this answer only
        wire.write(reply, {"values": [], "error": CANNOT_START.format(error=error.strerror)})
        return
    if pid == 0:
        signal.alarm(max(1, int(seconds)))  # SIGALRM's default action ends the fork
        try:
            wire.write(reply, _answer(request))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    if not os.path.lexists(reply):
        code = os.waitstatus_to_exitcode(status)
        why = TOO_LONG.format(seconds=f"{seconds:g}") if code == -signal.SIGALRM else ENDED.format(code=code)
        wire.write(reply, {"values": [], "error": why})


def main(root: Path, policy: dict[str, Any], seconds: float) -> None:
    request = wire.read_request(root / "request.bin")
    shut_in(policy)
    for grade_id, answer in request["answers"].items():
        _answer_apart(answer, root / "work" / reply_name(grade_id), seconds)
    os._exit(0)


def run(argv: list[str]) -> None:
    """``ROOT POLICY SECONDS``, from the command line or from a fork of the template (``template``)."""
    np.seterr(all="ignore")
    main(Path(argv[0]), json.loads(argv[1]), float(argv[2]))


if __name__ == "__main__":
    run(sys.argv[1:])
