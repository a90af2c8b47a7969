"""Inside one forked process: what ``host.drop_to``'s wrapper chain (``unshare``, ``setpriv``) does to a
program it starts, done by the process to itself instead (``template``).

A fresh child is started as ``setpriv --pdeathsig KILL -- unshare --net --pid --ipc --fork
--kill-child -- setpriv --reuid=U --regid=U --clear-groups --bounding-set=-all[,+dac_read_search]
[--inh-caps=+dac_read_search --ambient-caps=+dac_read_search] --pdeathsig KILL -- python ...``.
A fork-served child gets the same, step by step:

- ``enter_namespaces``: new network, PID and IPC namespaces (the caller then forks: the PID namespace
  holds its children, not itself), or, not as root, a user namespace that maps the caller's own ids;
- ``become``: the bounding set, no groups, the uid and gid, and the capability sets, each checked
  afterwards against ``/proc/self/status``, so a capability this library does not know by name
  cannot stay behind unnoticed;
- ``die_with_parent``: SIGKILL when the process that started it ends.

Any step that fails raises ``PrivilegeError``; the caller then runs no student code.

Why pyprctl: capabilities, bounding and ambient sets and securebits are prctl and capset calls with
per-version structures; pyprctl is the pure-Python (ctypes) binding made for them, with the libcap
semantics for changing ids while keeping a permitted capability (``cap_set_ids``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import signal
from collections.abc import Callable
from pathlib import Path

import pyprctl

# unshare(2) flags (linux/sched.h); os.unshare and os.CLONE_* arrive only with Python 3.12.
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

READ_CAPABILITY = pyprctl.Cap.DAC_READ_SEARCH


class PrivilegeError(RuntimeError):
    """A step of the confinement could not be taken, or did not take effect."""


def _unshare(flags: int) -> None:
    native = getattr(os, "unshare", None)
    if native is not None:
        native(flags)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def enter_namespaces(as_root: bool) -> None:
    """Move into new network, PID and IPC namespaces; not ``as_root``, inside a new user namespace that
    maps only the caller's uid and gid (what ``unshare --user --map-current-user`` does)."""
    try:
        if as_root:
            _unshare(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC)
            return
        uid, gid = os.getuid(), os.getgid()
        _unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC)
        Path("/proc/self/setgroups").write_text("deny")  # required before an unprivileged gid_map
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as error:
        raise PrivilegeError(f"the namespaces could not be made: {error}") from error


def _status() -> dict[str, str]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def _last_capability() -> int:
    return int(Path("/proc/sys/kernel/cap_last_cap").read_text())


def _drop_bounding_set(keep: set[int]) -> None:
    """Remove every capability the kernel knows from the bounding set, but ``keep``."""
    for number in range(_last_capability() + 1):
        if number in keep:
            continue
        try:
            pyprctl.capbset_drop(pyprctl.Cap(number))
        except ValueError:  # a capability newer than this library: drop it by number
            pyprctl.ffi.prctl(pyprctl.ffi.PR_CAPBSET_DROP, number, 0, 0, 0)


def become(uid: int, gid: int, read_capability: bool) -> None:
    """Run as ``uid``:``gid`` with no groups and no capability, but ``CAP_DAC_READ_SEARCH`` where
    ``read_capability`` (in every set, the bounding one included, as ``setpriv`` leaves it). Root only."""
    keep = {READ_CAPABILITY.value} if read_capability else set()
    try:
        _drop_bounding_set(keep)  # while CAP_SETPCAP is still effective
        if read_capability:
            pyprctl.cap_set_ids(uid=uid, gid=gid, groups=[])  # keeps the permitted set across the switch
            kept = {READ_CAPABILITY}
            pyprctl.CapState(effective=kept, permitted=kept, inheritable=kept).set_current()
            pyprctl.cap_ambient_raise(READ_CAPABILITY)
        else:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)  # from root to a uid of its own: every capability goes
    except OSError as error:
        raise PrivilegeError(f"the child could not drop to uid {uid}: {error}") from error
    _check_became(uid, gid, keep)


def drop_capabilities() -> None:
    """Keep no capability, in the bounding set either: for a process in a user namespace of its own,
    where it holds every capability until it drops them (a fresh child loses them at ``exec``)."""
    try:
        _drop_bounding_set(set())
        pyprctl.cap_ambient_clear_all()
        pyprctl.CapState(effective=set(), permitted=set(), inheritable=set()).set_current()
    except OSError as error:
        raise PrivilegeError(f"the child could not drop its capabilities: {error}") from error
    _check_capabilities(set())


def _check_capabilities(keep: set[int]) -> dict[str, str]:
    status = _status()
    expected = f"{sum(1 << number for number in keep):016x}"
    wrong = [name for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb") if status.get(name) != expected]
    if wrong:
        raise PrivilegeError(f"after dropping them, the capabilities in {', '.join(wrong)} are not as asked")
    return status


def _check_became(uid: int, gid: int, keep: set[int]) -> None:
    status = _check_capabilities(keep)
    if status.get("Uid", "").split() != [str(uid)] * 4 or status.get("Gid", "").split() != [str(gid)] * 4:
        raise PrivilegeError(f"after dropping to uid {uid}, the process runs as {status.get('Uid')}")
    if status.get("Groups", "") != "":
        raise PrivilegeError(f"after dropping to uid {uid}, the process keeps the groups {status.get('Groups')}")


def die_with_parent(parent_alive: Callable[[], bool]) -> None:
    """SIGKILL this process when its parent ends, and end it now if the parent already has (asked with
    ``parent_alive`` after the setting took, so no moment is missed). Call it after ``become``: the
    kernel clears the setting when the ids change."""
    try:
        pyprctl.set_pdeathsig(signal.SIGKILL)
    except OSError as error:
        raise PrivilegeError(f"the parent-death signal could not be set: {error}") from error
    if not parent_alive():
        os._exit(errno.ESRCH)  # nothing may run orphaned


def hung_up(fd: int) -> bool:
    """Whether every write end of the pipe ``fd`` reads from is closed: the parent that held one has ended."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return any(events & (select.POLLHUP | select.POLLERR) for _, events in poller.poll(0))
