"""Run a submission's functions in a sandboxed child process and collect its plain-data replies.

The grader never imports student code. It copies the student's modules into a scratch folder
(``scratch``), starts a child inside the sandbox (``host``), and waits for one reply per function.
The child answers one function at a time (``child``). If a function runs past its time, prints too
much or fills its folder, or the child dies, that function (and only it) gets an error that says
what happened, the whole process tree is killed, and a fresh child carries on with the rest.
Replies are read with the hardened reader (``wire``) and rebuilt field by field (``replies``)
before anything judges them.

The children's stdout and stderr are one pipe that a grader thread drains (``_Output``): it counts
every byte written, however it was written (print, os.write, a forked grandchild, a dup2'd copy; a
pipe cannot be truncated or seeked), so the printed-output limit holds for what was written, not for
what a file still holds.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from autograder.core.printable import printable
from autograder.core.spec import MODULES
from autograder.core.text import T_
from autograder.sandbox import forks, host, wire
from autograder.sandbox import replies as reply_format
from autograder.sandbox.environment import child_environment
from autograder.sandbox.exits import exit_reason
from autograder.sandbox.observed import SharedInputs
from autograder.sandbox.scratch import Scratch, SubmissionError, folder_usage, read_source

SECONDS_PER_FUNCTION = 20.0
PRINTED_LIMIT = 2000  # characters of a submission's own output kept for the report
KEPT_BYTES = 4 * PRINTED_LIMIT  # enough for PRINTED_LIMIT characters of UTF-8
POLL_SECONDS = 0.005
FOLDER_CHECK_SECONDS = 0.25
DRAIN_CHUNK = 1 << 16  # a pipe's whole buffer on Linux
DRAIN_POLL_MS = 50  # how often the draining thread looks whether it should stop
LAST_CHUNKS = 64  # read after the children are gone; bounded, for a daemon that escaped still writing


class _Output:
    """The pipe every child of one module writes its stdout and stderr to, drained by a grader thread.

    ``written`` counts every byte that went through it; the first KEPT_BYTES are kept for the report
    and the rest is read and dropped, so a child never blocks on a full pipe and the grader holds
    no more than that.
    """

    def __init__(self) -> None:
        self.reader, self.writer = os.pipe()  # not inherited by other children (PEP 446)
        # ``close`` writes here so that the draining thread stops at once, not at its next poll's end.
        self._wake_reader, self._wake_writer = os.pipe()
        self.written = 0
        self.kept = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="child-output", daemon=True)
        self._thread.start()

    def _take(self) -> bool:
        """Read what is there now, if anything; False when nothing was."""
        chunk = os.read(self.reader, DRAIN_CHUNK)
        self.written += len(chunk)
        if len(self.kept) < KEPT_BYTES:
            self.kept += chunk[:KEPT_BYTES - len(self.kept)]
        return bool(chunk)

    def _drain(self) -> None:
        poller = select.poll()
        poller.register(self.reader, select.POLLIN)
        poller.register(self._wake_reader, select.POLLIN)
        while not self._stop.is_set():
            if any(fd == self.reader for fd, _ in poller.poll(DRAIN_POLL_MS)):
                self._take()
        alone = select.poll()
        alone.register(self.reader, select.POLLIN)
        for _ in range(LAST_CHUNKS):  # what the last child wrote just before it ended
            if not alone.poll(0) or not self._take():
                break

    def close(self) -> str:
        """Stop draining (every child is gone) and return what was kept, as text for a report."""
        self._stop.set()
        os.write(self._wake_writer, b"\0")
        self._thread.join()
        for fd in (self.writer, self._wake_writer, self._wake_reader):
            os.close(fd)
        os.close(self.reader)  # a daemon still writing gets EPIPE from now on
        return printable(self.kept.decode("utf-8", errors="replace"))[:PRINTED_LIMIT]


def child_policy(cage: host.Sandbox, scratch: Scratch, cpu_seconds: int) -> dict[str, Any]:
    """What a grading child shuts itself in with (``confine``): the limits and Landlock's paths; and
    where the code it may run comes from (``code_guard``): the installed folders and the submission."""
    limits = host.LIMITS
    installed = [str(path) for path in host.runtime_paths()]
    return {
        "limits": {"cpu_seconds": cpu_seconds, "memory_bytes": limits.memory_bytes,
                   "file_bytes": limits.file_bytes, "open_files": limits.open_files,
                   "extra_processes": limits.extra_processes,
                   # A uid leased for this child alone runs nothing else: no need to count its processes.
                   "own_uid": cage.read_capability is not None},
        "landlock": cage.landlock,
        "readable": [*installed, str(scratch.submission)],
        "writable": [str(scratch.work)],
        "syscalls": "grading" if cage.seccomp else "",  # required where the probe found it: else SETUP_FAILED
        "code_guard": cage.code_guard,
        "installed": installed,
    }


def _start(cage: host.Sandbox, who: host.Identity, scratch: Scratch, functions: list[str], output: _Output,
           cpu_seconds: int, shared: SharedInputs) -> subprocess.Popen | forks.ServedChild:
    """A child answering ``functions``: forked from the template where it can be (``forks``), else fresh."""
    arguments = [str(scratch.root), json.dumps(child_policy(cage, scratch, cpu_seconds)), ",".join(functions)]
    env = child_environment()
    env["TMPDIR"] = env["HOME"] = str(scratch.work)
    served = forks.start("grading", arguments, env, scratch.work,
                         {1: output.writer, 2: output.writer, shared.fd: shared.fd}, cage, who)
    if served is not None:
        return served
    # -P: the child's folder (which student code can write to) never comes first on sys.path.
    # -s: no user site-packages.
    command = [*who.prefix, sys.executable, "-P", "-s", "-m", "autograder.sandbox.child", *arguments]
    return subprocess.Popen(command, cwd=scratch.work, stdin=subprocess.DEVNULL, stdout=output.writer,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True, pass_fds=(shared.fd,),
                            **who.popen_user)


class _Watch:
    """What one function of one child may still use: wall time, printed output, folder size."""

    def __init__(self, seconds: float, output: _Output, scratch: Scratch):
        self.seconds, self.output, self.scratch = seconds, output, scratch
        self.restart()
        self.next_folder_check = 0.0

    def restart(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        self.printed_before = self.output.written

    def problem(self, pid: int | None) -> str:
        """Why the child ``pid`` must be stopped now, or ""."""
        limits = host.LIMITS
        now = time.monotonic()
        if now > self.deadline:
            return T_("it ran for more than {seconds:g} s and was stopped", seconds=self.seconds)
        if self.output.written - self.printed_before > limits.printed_bytes:
            return T_("your code printed more than {size}, so it was stopped",
                      size=wire.megabytes(limits.printed_bytes))
        if now > self.next_folder_check:
            self.next_folder_check = now + FOLDER_CHECK_SECONDS
            size, entries = folder_usage(self.scratch.work, limits.folder_entries, pid)
            if size > limits.folder_bytes:
                return T_("your code wrote over {size} into its folder; it was stopped",
                          size=wire.megabytes(limits.folder_bytes))
            if entries > limits.folder_entries:
                return T_("your code created more than {count} files, so it was stopped",
                          count=limits.folder_entries)
        return ""


def _read_reply(path: Path, requests: list[dict]) -> list[dict[str, Any]]:
    """The rebuilt replies to ``requests``; a reply larger than they can need is refused unparsed."""
    try:
        message = wire.read(path, bounds=reply_format.bounds(requests))
    except wire.WireError as error:
        return reply_format.failure(T_("its reply could not be read ({error})", error=str(error)), len(requests))
    return reply_format.clean(message, len(requests))


def _with_observed(cases: list[dict[str, Any]], changed: list[list[str]]) -> list[dict[str, Any]]:
    """Add the inputs the grader saw modified to each case's reply (the child's own account can only
    add to them: nothing it says hides a change)."""
    for reply, names in zip(cases, changed, strict=False):
        if names and not reply.get("error"):
            reply["changed"] = [*names, *(n for n in reply.get("changed", []) if n not in names)]
    return cases


def _serve(process: subprocess.Popen | forks.ServedChild, scratch: Scratch, watch: _Watch, remaining: list[str],
           requests: dict[str, list[dict]], replies: dict[str, list[dict]], cpu_seconds: int,
           shared: SharedInputs) -> None:
    """Collect one child's replies in order until it is done, dies or must be stopped.

    The watched inputs of a function are read back the moment its reply is there, before the next
    function's code runs.
    """
    while remaining:
        name = remaining[0]
        path = scratch.reply(name)
        if os.path.lexists(path):
            changed = shared.changed(name)
            replies[name] = _with_observed(_read_reply(path, requests[name]), changed)
            remaining.pop(0)
            watch.restart()
            continue
        code = process.poll()
        if code is not None and not os.path.lexists(path):
            replies[name] = reply_format.failure(exit_reason(code, cpu_seconds), len(requests[name]))
            remaining.pop(0)
            return
        problem = watch.problem(process.pid) if code is None else ""
        if problem:
            replies[name] = reply_format.failure(problem, len(requests[name]))
            remaining.pop(0)
            return
        time.sleep(POLL_SECONDS)


def _copy_submission(scratch: Scratch, module_path: Path) -> None:
    """Copy the graded module (errors are the student's) and its sibling modules (best effort)."""
    scratch.copy(module_path.name, read_source(module_path))
    for module in MODULES:
        sibling = module_path.with_name(f"{module}.py")
        if sibling != module_path:
            # If it cannot be copied, importing it fails with its own message in the module that needs it.
            with suppress(SubmissionError):
                scratch.copy(sibling.name, read_source(sibling))


def run_module(module_path: Path, module: str, requests: dict[str, list[dict]],
               seconds_per_function: float = SECONDS_PER_FUNCTION, started: threading.Event | None = None
               ) -> tuple[dict[str, dict], str]:
    """Run ``requests`` (function name -> case requests) against the module at ``module_path``.

    Returns (function name -> {"cases": [reply per case]}, what the code printed, truncated). ``started``
    is set once the first child runs, or when this returns without one.
    """
    try:
        return _run_module(module_path, module, requests, seconds_per_function, started or threading.Event())
    finally:
        if started is not None:
            started.set()


def _run_module(module_path: Path, module: str, requests: dict[str, list[dict]], seconds_per_function: float,
                started: threading.Event) -> tuple[dict[str, dict], str]:
    cage = host.current()
    replies: dict[str, list[dict]] = {}
    remaining = list(requests)
    with cage.identity() as who, Scratch(who.owner) as scratch, SharedInputs(requests) as shared:
        try:
            _copy_submission(scratch, module_path)
        except SubmissionError as error:
            failed = {name: reply_format.failure(error.text, len(cases), import_failed=True)
                      for name, cases in requests.items()}
            return {name: {"cases": cases} for name, cases in failed.items()}, ""
        scratch.write_request({"module": module, "requests": shared.requests, "shared_fd": shared.fd})
        output = _Output()
        try:
            while remaining:
                cpu_seconds = host.LIMITS.cpu_seconds(seconds_per_function)
                process = _start(cage, who, scratch, remaining, output, cpu_seconds, shared)
                started.set()
                try:
                    _serve(process, scratch, _Watch(seconds_per_function, output, scratch), remaining, requests,
                           replies, cpu_seconds, shared)
                finally:
                    forks.stop(process)
        finally:
            printed = output.close()
    return {name: {"cases": cases} for name, cases in replies.items()}, printed
