"""grade-all's local workers: ``jobs`` processes, each with the reference loaded once and its own
template of sandboxed children (``forks``).

Threads would share one interpreter lock: the grader's own work on a submission (the reference's
answers, judging, diagnosing, reading the source) is Python, and it would run on one core while the
other waited. Processes put it on every core. A worker ignores Ctrl-C: the batch decides when to stop,
and stopping kills the workers and every process they started (``kill``), but not the pool's own
helpers (multiprocessing's resource tracker).

Workers are started with ``spawn``, not ``fork``: a fresh interpreter holds nothing of the batch's
(its threads, its open files, another student's grade), and it starts once per run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import suppress
from pathlib import Path

import psutil

from autograder.core.orphans import end_with_parent
from autograder.grading.grade import Grade, grade
from autograder.grading.reference import Reference, load_reference
from autograder.sandbox import forks, host

_reference: Reference | None = None  # this worker's, loaded once by ``_start``


def _start(reference_folder: Path, sandbox: host.Sandbox, parent: int) -> None:
    global _reference
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent(parent, signal.SIGKILL)  # a batch killed outright takes its workers with it
    host.adopt(sandbox)  # the batch checked this one; probing again would only cost time
    forks.start_early(probe=False)  # the template starts while the reference loads
    _reference = load_reference(reference_folder)


def _grade(folder: Path, seed: int, probe: int | None, seconds: float) -> tuple[Grade, dict[str, str]]:
    """One student in this worker: the grade and, with the class probe, its digests."""
    from autograder.integrations.similarity import grade_with_probe

    assert _reference is not None, "a worker grades only after _start"
    if probe is None:
        return grade(folder, _reference, seed, seconds, concurrent=True), {}
    return grade_with_probe(folder, _reference, seed, probe, seconds, concurrent=True)


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:  # it ended meanwhile
        return []


class WorkerPool:
    """``jobs`` worker processes grading against ``reference`` (its folder is read once by each)."""

    def __init__(self, reference: Reference, jobs: int):
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(reference.folder, host.current(), os.getpid()))

    def submit(self, folder: Path, seed: int, probe: int | None, seconds: float
               ) -> Future[tuple[Grade, dict[str, str]]]:
        return self._pool.submit(_grade, folder, seed, probe, seconds)

    def kill(self) -> int:
        """SIGKILL every worker and every process it started (templates, sandboxed children); how many."""
        workers = [psutil.Process(pid) for pid in list(self._pool._processes or {})
                   if psutil.pid_exists(pid)]
        family = [*workers, *(child for worker in workers for child in _children(worker))]
        for member in family:
            with suppress(psutil.Error):
                member.kill()
        return len(family)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
