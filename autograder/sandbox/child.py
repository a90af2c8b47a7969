"""Entry point of the process that runs a submission's code:
``python -m autograder.sandbox.child ROOT POLICY FUNCTIONS``.

ROOT is the scratch folder (``scratch``): the child reads ``ROOT/request.bin`` ({"module",
"requests"}), shuts itself in with POLICY (JSON, see ``confine``), imports the student's module
from ``ROOT/submission``, and then answers each of FUNCTIONS (comma-separated) in order, each in a
forked copy of itself, writing ``ROOT/work/reply-<name>.bin`` as soon as that function is done.

The fork per function keeps functions apart: whatever one function's code changes (numpy,
builtins, the module itself) or however it ends (``os._exit``, a signal, a thread left running),
the next function starts from the freshly imported module. The last function runs in the child
itself: nothing comes after it to protect. A reply too large for the wire is replaced by an error
saying so.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np  # imported before the submission's folder is on sys.path: a numpy.py there can't shadow it

from autograder.core.calling import describe_exception, error_reply, run_case
from autograder.core.modules import load_module
from autograder.core.spec import BY_NAME
from autograder.sandbox import code_guard, observed, wire
from autograder.sandbox.confine import shut_in
from autograder.sandbox.exits import CANNOT_REPLY, exit_reason


def _import_student(path: Path, name: str):
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} is missing from the submission")
    return load_module(path, name, register=True)  # rnn_layers.py may `from layers import ...`, as in a notebook


def _import_error_message(path: Path, error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"{path.name} could not be imported: syntax error on line {error.lineno}: {error.msg}"
    if isinstance(error, FileNotFoundError):
        return str(error)
    return f"{path.name} could not be imported: {describe_exception(error)}"


def _answer(module, name: str, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run every case of one function, keeping the whole reply under the wire's size limit and each case
    one the wire can send."""
    replies, budget = [], wire.MAX_BYTES - (1 << 20)  # room for the structure
    for request in requests:
        with np.errstate(all="ignore"):  # overflow in a student's formula is judged, not printed
            reply = run_case(module, BY_NAME[name], request)
        unsendable = wire.unsendable(reply)
        if unsendable:  # this case alone: the others are sent as they are
            reply = error_reply(f"it returned {unsendable}, which the grader does not take")
        size = wire.payload_bytes(reply)
        if size > budget:
            reply = error_reply(f"its reply of {wire.megabytes(size)} is over the "
                                f"{wire.megabytes(wire.MAX_BYTES)} limit")
        budget -= min(size, budget)
        replies.append(reply)
    return replies


def _send(path: Path, replies: list[dict[str, Any]]) -> None:
    # The grader stops this process the moment the reply is there: what the code printed goes first.
    _flush()
    try:
        wire.write(path, {"cases": replies})
    except (OSError, wire.WireError) as error:  # a full disk or a file-size limit: say so, small
        reason = f"its reply could not be written ({describe_exception(error)})"
        wire.write(path, {"cases": [error_reply(reason) for _ in replies]})


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        # Closed, over the file-size limit, or replaced by the student's code with something that
        # raises: nothing more to save, and the replies still go out.
        with suppress(Exception):
            stream.flush()


def _answer_here(module, name: str, requests: list[dict[str, Any]], reply: Path) -> None:
    """Answer one function in this process; if the student's code broke sending, end with CANNOT_REPLY."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _send(reply, _answer(module, name, requests))
    except BaseException:
        _flush()
        os._exit(CANNOT_REPLY)


def _answer_apart(module, name: str, requests: list[dict[str, Any]], reply: Path) -> None:
    """Answer one function in a forked copy of this process; report how it ended if it sent nothing."""
    _flush()
    try:
        pid = os.fork()
    except OSError:  # no room for one more process: answer here instead
        _answer_here(module, name, requests, reply)
        return
    if pid == 0:
        _answer_here(module, name, requests, reply)
        _flush()
        os._exit(0)  # no atexit handlers, no waiting for threads the student's code left running
    _, status = os.waitpid(pid, 0)
    if not os.path.lexists(reply):
        cpu_seconds, _ = resource.getrlimit(resource.RLIMIT_CPU)
        reason = exit_reason(os.waitstatus_to_exitcode(status), cpu_seconds)
        _send(reply, [error_reply(reason) for _ in requests])


def main(root: Path, policy: dict[str, Any], functions: list[str]) -> None:
    request = wire.read_request(root / "request.bin")
    observed.attach(request)  # before the student's code: the inputs the grader watches
    shut_in(policy)
    if policy.get("code_guard", True):  # from here on, only code the grader has read or installed runs
        code_guard.install(policy["installed"], sorted((root / "submission").glob("*.py")))
    path = root / "submission" / f"{request['module']}.py"
    sys.path.append(str(path.parent))
    try:
        module = _import_student(path, request["module"])
        import_error = ""
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        module, import_error = None, _import_error_message(path, error)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # this process only waits; its forks get SIGINT back
    for number, name in enumerate(functions, start=1):
        reply = root / "work" / f"reply-{name}.bin"
        if import_error:
            _send(reply, [error_reply(import_error, import_failed=True) for _ in request["requests"][name]])
        elif number < len(functions):
            _answer_apart(module, name, request["requests"][name], reply)
        else:  # nothing runs after the last function: no need to keep this process clean
            _answer_here(module, name, request["requests"][name], reply)
    _flush()
    os._exit(0)


def run(argv: list[str]) -> None:
    """``ROOT POLICY FUNCTIONS``, from the command line or from a fork of the template (``template``)."""
    np.seterr(all="ignore")
    main(Path(argv[0]), json.loads(argv[1]), argv[2].split(","))


if __name__ == "__main__":
    run(sys.argv[1:])
