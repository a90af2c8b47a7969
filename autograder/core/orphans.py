"""A worker process that ends with the process that started it, however that one ends (even SIGKILL).

A pool's worker waits for work on a queue whose pipe it holds both ends of, so it never sees its parent
go: a grader killed at midnight would leave its workers, and their templates, running for ever. Linux
sends a chosen signal to a process whose parent ends (``prctl(PR_SET_PDEATHSIG)``), but only to one
that asked before: a parent that died first sends nothing, so the worker checks it still has it.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def end_with_parent(parent: int, signum: int) -> None:
    """Get ``signum`` when the parent ends; leave now if ``parent`` (its pid) is no longer the parent.
    Elsewhere than on Linux, nothing: the pool's own shutdown is all there is."""
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:
        os._exit(128 + signum)
