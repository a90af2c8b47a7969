"""Private user ids: one for each sandboxed process tree that runs at the same time, never shared.

Two processes with the same uid can chmod, inotify-watch and signal each other's files and
processes, and Landlock does not stand between them. So every confined notebook kernel gets a uid
of its own for as long as it runs: a number from a block that no account on this machine uses,
leased with an exclusive ``flock`` on a file named after it. The lease lives as long as the lock
file is open, so a grader that dies (even by SIGKILL) gives its uids back at once, and two graders
on the same machine (two terminals, two courses, Dask workers) never hold the same uid.

A uid is handed out only when no process runs as it any more: the leftovers of a tree that was just
killed can take a moment to be reaped.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import random
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

FIRST_UID = 1_610_000_000  # far above the ids distributions give accounts (< 60000) and subordinate ranges
COUNT = 50_000
LOCKS = (Path("/run/backprop-kit/uids") if os.access("/run", os.W_OK)
         else Path(tempfile.gettempdir()) / "backprop-kit-uids")


class NoFreeUidError(RuntimeError):
    """Every private uid is leased or still runs a process."""


def _runs_processes(uid: int) -> bool:
    """Whether any process on this machine runs as ``uid`` (real uid, from /proc)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            if os.stat(entry.path).st_uid == uid:
                return True
    return False


def _lock_folder() -> Path:
    LOCKS.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = os.lstat(LOCKS)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise NoFreeUidError(f"{LOCKS} must belong to the grader's user and be writable by it alone")
    return LOCKS


@dataclass
class Lease:
    """A uid (and the gid of the same number) held until ``release``."""

    uid: int
    _handle: int

    @property
    def gid(self) -> int:
        return self.uid

    def release(self) -> None:
        if self._handle >= 0:
            os.close(self._handle)  # closing the file drops the lock
            self._handle = -1

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def lease(tries: int = 200) -> Lease:
    """Lease a uid that no account uses, no process runs as, and no other grader holds."""
    folder = _lock_folder()
    for uid in random.sample(range(FIRST_UID, FIRST_UID + COUNT), tries):
        with suppress(KeyError):
            pwd.getpwuid(uid)
            continue  # an account has this uid after all
        handle = os.open(folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            continue
        if _runs_processes(uid):
            os.close(handle)
            continue
        return Lease(uid, handle)
    raise NoFreeUidError(f"no free uid among {tries} tried in {FIRST_UID}..{FIRST_UID + COUNT - 1}")
