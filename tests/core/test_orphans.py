"""A worker ends with the process that started it: it asks Linux for a signal at its parent's death, and a
worker whose parent died before it asked (no signal would ever come) leaves at once instead of waiting on
its queue for ever, holding the parent's pipes. grade-all's workers end by SIGKILL, nbgrader-autograde's
by SIGTERM (which shuts their kernels down); the e2e tests kill real batches and runs."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from autograder import KIT_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")

PR_GET_PDEATHSIG = 2
WORKER = ("import ctypes, os, sys; from autograder.core.orphans import end_with_parent\n"
          "end_with_parent(int(sys.argv[1]) or os.getppid(), int(sys.argv[2]))\n"
          "asked = ctypes.c_int()\n"
          f"ctypes.CDLL(None).prctl({PR_GET_PDEATHSIG}, ctypes.byref(asked))\n"
          "print('waiting for work, ends by signal', asked.value)\n")
SIGNALS = [signal.SIGKILL, signal.SIGTERM]  # grade-all's workers, nbgrader-autograde's


def _worker(parent: int, signum: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WORKER, str(parent), str(int(signum))], cwd=KIT_ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_worker_whose_parent_is_gone_leaves(signum: int) -> None:
    orphan = _worker(parent=1 << 22, signum=signum)  # beyond pid_max's default: never this process's parent
    assert orphan.returncode == 128 + signum and orphan.stdout == "", orphan.stderr


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_worker_whose_parent_is_there_stays_and_will_get_the_signal(signum: int) -> None:
    kept = _worker(parent=0, signum=signum)  # its own parent
    assert kept.returncode == 0 and kept.stdout == f"waiting for work, ends by signal {int(signum)}\n", kept.stderr


def test_nbgraders_local_workers_end_by_sigterm_so_their_kernels_shut_down(monkeypatch) -> None:
    from autograder.integrations.nbgrader import parallel

    asked = []
    monkeypatch.setattr(parallel, "end_with_parent", lambda parent, signum: asked.append((parent, signum)))
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        parallel._worker_signals(4321)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # Ctrl-C is the parent's to handle
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert asked == [(4321, signal.SIGTERM)]


def test_grade_alls_workers_end_by_sigkill(monkeypatch) -> None:
    from autograder.integrations import worker_pool

    asked = []
    monkeypatch.setattr(worker_pool, "end_with_parent", lambda parent, signum: asked.append((parent, signum)))
    monkeypatch.setattr(worker_pool.forks, "start_early", lambda probe=True: None)
    monkeypatch.setattr(worker_pool.host, "adopt", lambda sandbox: None)
    monkeypatch.setattr(worker_pool, "load_reference", lambda folder: None)
    monkeypatch.setattr(worker_pool, "_reference", worker_pool._reference)  # put back afterwards
    handler = signal.getsignal(signal.SIGINT)
    try:
        worker_pool._start(KIT_ROOT, object(), 1234)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert asked == [(1234, signal.SIGKILL)]
