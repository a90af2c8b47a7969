"""Sandboxed children forked from a template instead of started fresh: the grader's side of ``template``.

A fresh child costs a new Python and numpy's import, several times what grading the submission
costs. So each grader process (a ``grade``, a ``grade-all``, a Dask worker, Gradescope's run, an
nbgrader autograde) starts one template the first time it needs a child, and from then on asks it
for forks. The template is started with the children's own environment (``host.child_environment``),
imports the children's code and nothing else, and never receives anything of a submission: for each
child it gets only a socket, on which the grader then sends that child's job (``start``).

A forked child is confined exactly as a fresh one (``privileges``, then the entry point's own
``shut_in``); tests/sandbox/test_forks.py holds the two side by side. Where the template cannot be
had (not Linux, no namespaces, the TA's fallback to the shared user ``nobody``, or
``BACKPROP_FORK_SERVER=0``), or it fails to start, children are started fresh as before: slower, but
confined the same.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.sandbox import template
from autograder.sandbox.environment import child_environment

if TYPE_CHECKING:  # host imports numpy: ``start_early`` runs before anything does
    from autograder.sandbox import host

SWITCH = "BACKPROP_FORK_SERVER"  # "0": start every child fresh
READY_SECONDS = 60.0  # a cold start on a loaded machine imports numpy in well under this
ANSWER_SECONDS = 30.0  # how long a keeper may take to start its child


class TemplateError(RuntimeError):
    """The template could not be started, or stopped answering."""


class ServedChild:
    """A child forked by the template, handled like a ``subprocess.Popen``: ``pid``, ``poll()``,
    ``wait()``; ``kill_tree()`` SIGKILLs it and waits until every process of its namespace has ended."""

    def __init__(self, connection: socket.socket, pid: int | None, returncode: int | None, error: str = ""):
        self.connection, self.pid, self.returncode, self.error = connection, pid, returncode, error

    def _read(self, block: bool) -> None:
        self.connection.setblocking(block)
        try:
            data = self.connection.recv(template.MAX_JOB_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the keeper ended without a word: killed, and its child with it (parent-death signal)
            self.returncode = -signal.SIGKILL
            return
        message = json.loads(data)
        if "exit" in message:
            self.returncode = int(message["exit"])

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read(block=False)
        return self.returncode

    def wait(self) -> int:
        while self.returncode is None:
            self._read(block=True)
        return self.returncode

    def kill_tree(self) -> None:
        if self.returncode is None:
            with suppress(OSError):
                self.connection.send(template.KILL)
            self.wait()
        self.connection.close()


class Template:
    """One running template, owned by the process that started it."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        kit_root = str(Path(__file__).resolve().parents[2])
        # -P -s, the children's environment, no terminal: what a fresh child gets, so that its forks do too.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-s", "-m", "autograder.sandbox.template", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), env=child_environment(), cwd=kit_root, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.control, self.owner, self.ready = ours, os.getpid(), False
        self.facts: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _wait_ready(self) -> None:
        self.control.settimeout(READY_SECONDS)
        try:
            answer = self.control.recv(template.MAX_READY_BYTES)
        except OSError as error:
            raise TemplateError(f"the template did not start: {error}") from error
        if not answer.startswith(template.READY):
            raise TemplateError(f"the template ended as it started (exit status {self.process.poll()})")
        try:
            facts = json.loads(answer[len(template.READY):])
        except ValueError:
            facts = None
        if not (isinstance(facts, dict) and type(facts.get("landlock_abi")) is int
                and isinstance(facts.get("seccomp"), str)):
            raise TemplateError(f"the template's first words were not understood: {answer[:200]!r}")
        self.facts = facts
        self.control.settimeout(None)
        self.ready = True

    def machine_facts(self) -> dict[str, Any]:
        """What the template found of the machine, once it has started: ``landlock_abi``, and ``seccomp``,
        why a child cannot load the grading filter ("" when it can)."""
        with self._lock:
            if not self.ready:
                self._wait_ready()
        return self.facts

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def fork(self, job: dict[str, Any], fds: list[int]) -> ServedChild:
        """Start the child of ``job`` with ``fds`` as its descriptors (see ``template._place_descriptors``)."""
        with self._lock:
            if not self.ready:
                self._wait_ready()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.control, [b"c"], [theirs.fileno()])
        except OSError as error:
            ours.close()
            raise TemplateError(f"the template stopped answering: {error}") from error
        finally:
            theirs.close()
        socket.send_fds(ours, [json.dumps(job).encode()], fds)
        ours.settimeout(ANSWER_SECONDS)
        try:
            first = ours.recv(template.MAX_JOB_BYTES)
        except OSError as error:
            ours.close()  # its keeper kills the child, if there is one yet, on hang-up
            raise TemplateError(f"the template's fork did not answer: {error}") from error
        ours.settimeout(None)
        if not first:
            ours.close()
            raise TemplateError("the template's fork ended before it started the child")
        message = json.loads(first)
        return ServedChild(ours, message.get("pid"), message.get("exit"), message.get("error", ""))

    def close(self) -> None:
        self.control.close()  # end-of-file: the template ends, and any child still running with it
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


GIVE_UP_AFTER = 3  # templates in a row that failed: then this process starts its children fresh

_lock = threading.Lock()
_current: Template | None = None
_failures = 0
_failed = ""


def _template() -> Template | None:
    """This process's template, started on first use (again if it ended), or None where it cannot run."""
    global _current, _failed
    with _lock:
        if _failed:
            return None
        if _current is None or not _current.alive():
            _current = Template()
        return _current


def start_early(probe: bool = True) -> None:
    """Start this process's template now, before the grader has imported anything, so that its start-up
    overlaps the grader's own; it is used only if ``usable`` says so later (else it ends with the grader).
    With ``probe``, this machine's sandbox is probed meanwhile too (a batch's worker adopts its batch's):
    the template finds what a test process would (``machine_facts``), else one is started."""
    global _current
    started = None
    if os.environ.get(SWITCH, "1") != "0" and sys.platform.startswith("linux"):
        with _lock:
            if _current is None:
                _current = started = Template()
    if not probe:
        return
    if started is None:
        from autograder.sandbox import syscalls

        seccomp_test = syscalls.start_test()  # a Python of its own: started before this one imports numpy
    from autograder.sandbox import host  # numpy, psutil: after the template (or the test) is on its way

    # What this machine's children may use: known by the time the grade asks.
    host.probe_early(seccomp_test if started is None else machine_facts)


def machine_facts() -> dict[str, Any] | None:
    """What this process's template found of the machine (``Template.machine_facts``), once it has started;
    None where it has none or it failed to start (then the probe finds out itself)."""
    with _lock:
        served = _current
    if served is None or not served.alive():
        return None
    try:
        return served.machine_facts()
    except TemplateError as error:
        _forget(served, str(error))
        return None


def usable(cage: host.Sandbox) -> bool:
    """Whether children on this machine are forked from a template."""
    return os.environ.get(SWITCH, "1") != "0" and cage.fork_mode != "" and not _failed


def start(entry: str, arguments: list[str], env: dict[str, str], cwd: Path, fds: dict[int, int],
          cage: host.Sandbox, who: host.Identity) -> ServedChild | None:
    """Fork the child that runs ``python -m ENTRIES[entry] ARGUMENTS`` in ``cwd`` with ``env``, with
    fd ``source`` at ``target`` for each ``target: source`` of ``fds``, as ``who``; None where children
    must be started fresh here (then nothing was started)."""
    global _failures
    if not usable(cage):
        return None
    served = _template()
    if served is None:
        return None
    sources = list(dict.fromkeys(fds.values()))
    identity = None
    if cage.fork_mode == "root":
        assert who.owner is not None, "a uid of its own is leased for every child as root"
        identity = {"uid": who.owner[0], "gid": who.owner[1], "read_capability": bool(cage.read_capability)}
    job = {"entry": entry, "argv": [template.ENTRIES[entry], *arguments], "env": env, "cwd": str(cwd),
           "identity": identity, "fds": {str(target): sources.index(source) for target, source in fds.items()}}
    try:
        child = served.fork(job, sources)
    except TemplateError as error:
        _forget(served, str(error))
        return None  # this child starts fresh; the next one asks a new template
    with _lock:
        _failures = 0
    if child.error:
        print(f"grader: {child.error}", file=sys.stderr)
    return child


def _forget(broken: Template, reason: str) -> None:
    """Drop a template that failed; after GIVE_UP_AFTER in a row that were not killed from outside (a
    stopped run kills every process it started, templates included), stop asking for one."""
    global _current, _failures, _failed
    broken.close()
    killed = (broken.process.poll() or 0) < 0
    with _lock:
        if _current is broken:
            _current = None
        _failures += 0 if killed else 1
        if _failures >= GIVE_UP_AFTER:
            _failed = reason
            print(f"grader: {reason}; children are started fresh from now on", file=sys.stderr)


def stop(process: subprocess.Popen | ServedChild) -> None:
    """SIGKILL a child and everything it started, and wait until they are gone."""
    from autograder.sandbox import host

    if isinstance(process, ServedChild):
        process.kill_tree()
    else:
        host.kill_tree(process)
