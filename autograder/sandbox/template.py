"""The process that fork-serves sandboxed children: ``python -P -s -m autograder.sandbox.template FD``.

Starting a Python that imports numpy costs more than grading a submission does. A template pays it
once per grader process: it imports what a child needs (numpy and the kit's child code), then waits
on FD, a socket to the grader that started it (``forks``). It never runs, reads or receives anything
of a submission. For each child the grader sends one thing: a socket for that child alone. The
template forks at once and waits again, so each child starts from the same freshly imported state,
and nothing one child does can reach the next.

The fork (the *keeper*) reads its job from its own socket, makes new network, PID and IPC namespaces
and forks the child, which is pid 1 of its PID namespace. The child does to itself what a fresh
child's wrapper chain does (``privileges``): its own uid, no groups, no capability but the one it
may need to read the runtime, SIGKILL when its keeper ends. Then it runs its entry point (``ENTRIES``),
which shuts it in (limits, Landlock, the syscall filter) before it imports any student code.

The keeper tells the grader the child's pid and, once the child and with it every process of its
namespace has ended, the exit status. It SIGKILLs the child when the grader says ``kill`` or hangs up.
Every process here dies with the one that started it; the template ends when the grader's socket
reads end-of-file, that is when the grader has ended.

What a forked child has that a fresh one does not: the template's memory layout (the same in every
fork, where a fresh child gets its own randomised one) and the few modules the template imported for
itself (socket, setproctitle, pyprctl). Neither reaches anything beyond the child's own uid: the
template holds nothing of any submission, and its memory is root's.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import select
import signal
import socket
import sys
from contextlib import suppress
from typing import Any

# Nothing heavy here: the grader imports this module for the protocol's names. What the children need
# (numpy, the child code, privileges) is imported by ``main``, in the template alone.
from autograder.sandbox.confine import SETUP_FAILED

# What a child may run: the grader names one of these, never a module of its own choosing.
ENTRIES = {"grading": "autograder.sandbox.child", "answers": "autograder.integrations.nbgrader.answer_child"}
STARTUP_ENVIRONMENT = ("LC_CTYPE",)
MAX_JOB_BYTES = 1 << 20  # a job is a command line and an environment: a few kB
MAX_FDS = 4
READY = b"ready"  # then, as JSON, what the template found of the machine (``_seccomp_failure``, Landlock's ABI)
MAX_READY_BYTES = 1 << 16
MAX_REASON_BYTES = 4000
KILL = b"kill"


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    with suppress(OSError):  # the grader is gone: nobody left to tell
        connection.send(json.dumps(message).encode())


def _place_descriptors(received: list[int], targets: dict[int, int], keep: list[int]) -> list[int]:
    """Put ``received[i]`` at fd ``target`` for each ``target: i``, /dev/null at 0, 1 and 2 where nothing
    goes, and close every other descriptor but ``keep``; returns ``keep`` at their new numbers."""
    above = max([*targets, 2]) + 1  # copies up here cannot be overwritten by the moves below
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, above) for fd in received]
    kept = [fcntl.fcntl(fd, fcntl.F_DUPFD, above) for fd in keep]
    for target, index in targets.items():
        os.dup2(moved[index], target)
    null = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        if standard not in targets:
            os.dup2(null, standard)
    wanted = {0, 1, 2, *targets, *kept}
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
        if fd not in wanted:
            with suppress(OSError):
                os.close(fd)
    return kept


def _run_child(job: dict[str, Any], received: list[int], alive: int) -> None:
    """The child, pid 1 of its namespaces: confine itself, then run its entry point. Never returns."""
    import numpy as np
    import setproctitle

    from autograder.sandbox import privileges

    code = 0
    try:
        os.setsid()
        # The command line a fresh child has, so that ps, psutil and the tests' process checks see it the same.
        setproctitle.setproctitle(" ".join([sys.executable, "-m", ENTRIES[job["entry"]], *job["argv"][1:2]]))
        targets = {int(target): index for target, index in job["fds"].items()}
        (alive,) = _place_descriptors(received, targets, [alive])
        identity = job["identity"]
        if identity is not None:
            privileges.become(identity["uid"], identity["gid"], identity["read_capability"])
        else:  # in a user namespace of its own, where it holds every capability until it drops them
            privileges.drop_capabilities()
        privileges.die_with_parent(lambda: not privileges.hung_up(alive))
        os.close(alive)
        os.chdir(job["cwd"])
        # What Python's own start-up adds to the environment (PEP 538's LC_CTYPE), as a fresh child has it.
        started = {key: os.environ[key] for key in STARTUP_ENVIRONMENT if key in os.environ}
        os.environ.clear()
        os.environ.update(started | job["env"])
        if "numpy.random" in sys.modules:  # its global generator would be the same in every fork
            np.random.seed()
        sys.argv = list(job["argv"])
        importlib.import_module(ENTRIES[job["entry"]]).run(job["argv"][1:])
    except privileges.PrivilegeError as error:
        print(f"grader: the sandbox could not be set up: {error}", file=sys.stderr)
        code = SETUP_FAILED
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _keep(connection: socket.socket, template: int) -> None:
    """The keeper of one child: read the job, start the child in new namespaces, report and reap it."""
    from autograder.sandbox import privileges

    privileges.die_with_parent(lambda: os.getppid() == template)
    try:
        message, received, _, _ = socket.recv_fds(connection, MAX_JOB_BYTES, MAX_FDS)
        job = json.loads(message)
        if job["entry"] not in ENTRIES:
            raise privileges.PrivilegeError(f"no entry point {job['entry']!r}")
        privileges.enter_namespaces(as_root=job["identity"] is not None)
        alive, keeper_alive = os.pipe()
        pid = os.fork()
    except (OSError, ValueError, KeyError, privileges.PrivilegeError) as error:
        _send(connection, {"error": f"the sandbox could not be set up: {error}", "exit": SETUP_FAILED})
        os._exit(0)
    if pid == 0:
        connection.close()
        os.close(keeper_alive)
        _run_child(job, received, alive)
    os.close(alive)
    for fd in received:
        os.close(fd)
    _send(connection, {"pid": pid})
    child = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(connection, select.POLLIN)
    poller.register(child, select.POLLIN)
    while True:
        ready = {fd for fd, _ in poller.poll()}
        if child in ready:
            _, status = os.waitpid(pid, 0)  # the namespace's init: every process of it has ended too
            _send(connection, {"exit": os.waitstatus_to_exitcode(status)})
            os._exit(0)
        if connection.fileno() in ready:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # asked to, or the grader hung up: either way, it ends now
            poller.unregister(connection)


def _seccomp_failure() -> str:
    """Why a fork of this process cannot load the grading filter ("" when it can): the grader's probe asks
    here instead of starting a Python of its own to find out (``host.probe``), since every child is such a
    fork. A container's own filter may refuse seccomp() itself, which only loading one shows."""
    from autograder.sandbox import syscalls

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            syscalls.apply("grading")
        except BaseException as error:  # whatever stops it is the answer
            with suppress(OSError):
                os.write(writer, f"{type(error).__name__}: {error}".encode()[:MAX_REASON_BYTES])
            os._exit(1)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as said:
        reason = said.read(MAX_REASON_BYTES).decode(errors="replace")
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return "" if code == 0 else (reason or f"it ended with exit status {code}")


def _reap() -> None:
    with suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def main(fd: int) -> None:
    """Import what every child needs, then serve the grader on ``fd`` until it hangs up."""
    import numpy  # noqa: F401  (imported once here, so that no child pays for it)
    import setproctitle  # noqa: F401

    from autograder.sandbox.libraries import found_by_soname

    abi = 0  # no Landlock: not Linux, or a container's filter refusing its calls
    with found_by_soname():  # pyprctl, pyseccomp and landlockpy find libc as they load
        import autograder.sandbox.child  # noqa: F401
        from autograder.sandbox import privileges, syscalls  # noqa: F401

        with suppress(syscalls.FilterError):  # where it cannot be built, each child says so as a fresh one would
            syscalls.build("grading")
        with suppress(ImportError, OSError):
            import landlockpy

            # Its first call loads libc: once here, not in every child on its way to the student's code.
            abi = landlockpy.abi_version()

    control = socket.socket(fileno=fd)
    template = os.getpid()
    control.send(READY + json.dumps({"landlock_abi": abi, "seccomp": _seccomp_failure()}).encode())
    while True:
        if select.select([control], [], [], 1.0)[0]:
            try:
                message, received, _, _ = socket.recv_fds(control, 16, 1)
            except OSError:
                break
            if not message:  # end-of-file: the grader has ended
                break
            for connection_fd in received:
                connection = socket.socket(fileno=connection_fd)
                if os.fork() == 0:
                    control.close()
                    _keep(connection, template)
                connection.close()
        _reap()
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
