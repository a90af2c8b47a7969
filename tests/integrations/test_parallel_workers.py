"""A local nbgrader-autograde worker whose parent died before it asked to be told of that death leaves at
once: no signal would ever come, and it would wait on its queue for ever, holding the parent's pipes."""

from __future__ import annotations

import signal
import subprocess
import sys

from autograder import KIT_ROOT

WORKER = "import os, sys; from autograder.integrations.nbgrader import parallel; " \
         "parallel._worker_signals(int(sys.argv[1]) or os.getppid()); print('waiting for work')"


def _worker(parent: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WORKER, str(parent)], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=60)


def test_a_worker_whose_parent_is_gone_leaves() -> None:
    orphan = _worker(parent=1 << 22)  # beyond pid_max's default: never this process's parent
    assert orphan.returncode == 128 + signal.SIGTERM and orphan.stdout == ""


def test_a_worker_whose_parent_is_there_stays() -> None:
    kept = _worker(parent=0)  # its own parent
    assert kept.returncode == 0 and kept.stdout == "waiting for work\n"
