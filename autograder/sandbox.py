"""The cage around student code, seen from the grader: what this machine offers, how a child is
started inside it, and how everything the child started is killed.

Protections, each reported in the grade (none is skipped silently):

- **Landlock** (Linux >= 5.13): the child may read only the Python runtime, the kit's own package and
  the copy of the submission, write only its scratch folder, execute nothing, make no TCP
  connection and signal no process outside itself. The child applies it to itself (``confine``)
  before it imports the student's code.
- **No network**: a new network namespace (util-linux ``unshare``), which has no interface but a
  loopback that is down, so UDP and other students' servers are out of reach too.
- **Process tree**: a new PID namespace, so killing the child kills every process it started, even one
  that left its process group; ``psutil`` finds the rest where there is no namespace.
- **User**: started as root, each child runs as a uid leased for it alone (``uids``), so children
  graded at the same time cannot chmod, signal or out-fork one another. Where such a user cannot read
  the Python runtime (say, a pyenv under /root), it gets the one capability to read files
  (``CAP_DAC_READ_SEARCH``), and Landlock alone decides which files that is; without Landlock it
  stays root, and says so. Without ``setpriv`` and ``unshare`` it falls back to ``nobody``.
- **Limits**: CPU time, memory, processes, file size, open files and core dumps (``confine``), plus
  wall time, printed output and scratch-folder size watched by the grader (``runner``).

Why these tools: ``landlockpy`` is a small dependency-free binding that knows every Landlock ABI up
to 11 (network rules from ABI 4, signal scoping from ABI 6); ``landlock`` on PyPI exists only as alpha
pre-releases and handles filesystem rules only. ``unshare`` and ``setpriv`` ship with util-linux on
every Linux distribution; ``psutil`` is the standard process-tree library.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

import autograder
from autograder import uids, wire

NOBODY = "nobody"


@dataclass(frozen=True)
class Limits:
    """What a child may use: per process, except wall time, printed output and folder size, which the
    grader watches per function (``runner``)."""

    memory_bytes: int = 1 << 30
    file_bytes: int = 2 * wire.MAX_BYTES  # above the reply limit, so an oversized reply is refused by name
    open_files: int = 64
    extra_processes: int = 32  # on top of what the child's user already runs
    printed_bytes: int = 1 << 20  # per function
    folder_bytes: int = 256 << 20
    folder_entries: int = 1000

    def cpu_seconds(self, seconds_per_function: float) -> int:
        """CPU time for each process (one per function): a backstop to the grader's wall clock."""
        return int(seconds_per_function) + 5


LIMITS = Limits()


@dataclass(frozen=True)
class Protection:
    """One layer of the sandbox, whether it is active here, and why not (or a caveat)."""

    name: str
    active: bool
    note: str = ""

    def __str__(self) -> str:
        mark = "✓" if self.active else "✗"
        return f"{self.name} {mark}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Identity:
    """The wrapper that starts one child, the owner its scratch folder must have, and Popen's user."""

    prefix: tuple[str, ...]
    owner: tuple[int, int] | None
    popen_user: dict


@dataclass(frozen=True)
class Sandbox:
    """How children are started on this machine."""

    prefix: tuple[str, ...]  # wrapper commands (unshare, setpriv) before the Python command line
    landlock: bool
    protections: tuple[Protection, ...]
    owner: tuple[int, int] | None = None  # uid, gid that must own the scratch folder (root drops to it)
    popen_user: dict = field(default_factory=dict)  # user=/group= for Popen where there is no setpriv
    read_capability: bool | None = None  # set where each child drops to a uid of its own (``drop_to``)

    @contextmanager
    def identity(self) -> Iterator[Identity]:
        """Who one child runs as: a uid leased for it alone where root can drop to one (so two children
        graded at once cannot chmod, signal or out-fork each other), else the machine's fallback."""
        if self.read_capability is None:
            yield Identity(self.prefix, self.owner, self.popen_user)
            return
        with uids.lease() as lease:
            yield Identity(tuple(drop_to(lease.uid, lease.gid, self.read_capability)), (lease.uid, lease.gid), {})

    def summary(self) -> str:
        """One line for the report, e.g. ``sandbox: landlock ✓, no network ✓, own user ✓, ...``."""
        return "sandbox: " + ", ".join(str(p) for p in self.protections)


def runtime_paths() -> list[Path]:
    """Folders the child must read after it is shut in: Python's library, the installed packages
    (numpy's included) and the kit's own package (``autograder/`` only: never the solutions)."""
    paths = sysconfig.get_paths()
    folders = [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"],
               Path(np.__file__).parent.parent, Path(autograder.__file__).parent]
    return list(dict.fromkeys(Path(folder).resolve() for folder in folders if Path(folder).is_dir()))


def _others_can_read(path: Path) -> bool:
    """Whether a user with no special rights can reach ``path`` and read it (permission bits only)."""
    path = path.resolve()
    for folder in reversed(path.parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & needed == needed


def _first_private(paths: list[Path]) -> Path | None:
    return next((path.resolve() for path in paths if not _others_can_read(path)), None)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none."""
    try:
        import landlockpy
    except ImportError:  # not Linux
        return 0
    try:
        return landlockpy.abi_version()
    except OSError:  # a container's seccomp filter refusing the call (EPERM): no Landlock to be had here
        return 0


def _works(command: list[str]) -> bool:
    """Whether a wrapper command line starts a program here (namespaces may be disabled)."""
    try:
        return subprocess.run([*command, "true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _user_protection(drop: str, name: str, private: Path | None, landlock: bool) -> Protection:
    if drop == "own":
        return Protection("own user", True)
    if drop == "own+read":
        return Protection("own user", True, f"reads only what Landlock allows: {private} is private to root")
    if drop == "nobody":
        return Protection(f"user {NOBODY}", True)
    if os.geteuid() != 0:
        return Protection(f"user {name}", True, "not root: nothing to drop")
    why = f"an unprivileged user cannot read {private}"
    if not landlock:
        why += " and there is no Landlock to confine a read capability"
    return Protection("user root", False, why)


def private_runtime() -> Path | None:
    """The first folder of the Python runtime that a user with no rights cannot read (a pyenv under
    /root), or None."""
    return _first_private([Path(sys.executable), *runtime_paths(), Path(tempfile.gettempdir())])


def drop_to(uid: int, gid: int, read_capability: bool, own_proc: bool = False) -> list[str]:
    """The wrapper that starts a program as ``uid``:``gid`` (no groups) in new network, PID and IPC
    namespaces, killed with the process that started it. Needs root, ``unshare`` and ``setpriv``.

    ``read_capability`` keeps ``CAP_DAC_READ_SEARCH`` for a runtime the user cannot read otherwise;
    only with Landlock, which then alone decides what is read. ``own_proc`` also gives it a mount
    namespace whose ``/proc`` shows only its own processes: for a uid no one else runs as, since the
    process limit is counted from ``/proc`` (``confine``).
    """
    setpriv, unshare = shutil.which("setpriv") or "setpriv", shutil.which("unshare") or "unshare"
    caps = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"] if read_capability else []
    bounding = "-all,+dac_read_search" if read_capability else "-all"
    proc = ["--mount", "--mount-proc"] if own_proc else []
    return [setpriv, "--pdeathsig", "KILL", "--",  # the tree dies with the grader
            unshare, "--net", "--pid", "--ipc", *proc, "--fork", "--kill-child", "--",
            setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", f"--bounding-set={bounding}", *caps,
            "--pdeathsig", "KILL", "--"]


@functools.cache
def current() -> Sandbox:
    """Probe this machine once: which protections can be had, and the wrapper that applies them."""
    abi = landlock_abi()
    landlock = abi >= 1
    unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
    root = os.geteuid() == 0
    name = pwd.getpwuid(os.geteuid()).pw_name
    try:
        nobody = pwd.getpwnam(NOBODY)
    except KeyError:
        nobody = None
    private = private_runtime()
    outer = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []  # the tree dies with the grader

    drop, prefix, owner, popen_user = "", (), None, {}
    namespaces = False
    read_capability = None
    if root and setpriv and unshare:
        candidate = drop_to(uids.FIRST_UID, uids.FIRST_UID, read_capability=private is not None)
        if (private is None or landlock) and _works(candidate):
            drop, prefix, namespaces = ("own" if private is None else "own+read"), tuple(candidate), True
            read_capability = private is not None
    if not prefix and unshare:
        # Not root, or root that cannot drop: a user namespace gives the namespaces without privileges.
        candidate = [*outer, unshare, "--user", "--map-current-user", "--net", "--pid", "--ipc", "--fork",
                     "--kill-child", "--"]
        if _works(candidate):
            prefix, namespaces = tuple(candidate), True
    if not prefix and root and nobody is not None and private is None:
        drop, owner = "nobody", (nobody.pw_uid, nobody.pw_gid)
        popen_user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    no_namespace = "no usable unshare (Linux namespaces)" if sys.platform.startswith("linux") else "not Linux"
    protections = (
        Protection("landlock", landlock, f"ABI {abi}" if landlock else "this kernel has no Landlock: "
                   "the child can read what its user can read"),
        Protection("no network", namespaces or abi >= 4,
                   "" if namespaces else ("TCP only, by Landlock" if abi >= 4 else no_namespace)),
        _user_protection(drop, name, private, landlock),
        Protection("limits", True, "" if sys.platform.startswith("linux") else "memory limit not enforced by macOS"),
        Protection("process tree", namespaces, "" if namespaces else f"process group and psutil only: {no_namespace}"),
    )
    return Sandbox(prefix, landlock, protections, owner, popen_user, read_capability)


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL the child, its process group and every descendant, and wait until they are gone."""
    family = []
    if process.poll() is None:  # once reaped, its pid may already belong to someone else
        with suppress(psutil.Error):
            family = psutil.Process(process.pid).children(recursive=True)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # start_new_session made the child a group leader
    for member in family:  # those that called setsid() left the group
        with suppress(psutil.Error):
            member.kill()
    process.wait()
    psutil.wait_procs(family, timeout=5)
