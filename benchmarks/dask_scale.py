"""(h) Scale: ``grade-all --scheduler`` on 2,000 generated submissions and a Dask ``LocalCluster`` of
2 worker processes, measured so that a very large course can be sized from it.

What is measured, in one run:

- wall time of the real command, from the shell, and submissions per second, overall and per worker
  (Dask's task stream: which worker ran each task, and for how long);
- CPU time of each worker's process tree (the worker, its fork template, the sandboxed children),
  of the scheduler (the cluster's event-loop threads of this process, which also run the two
  nannies: an upper bound) and of the client (``grade-all`` itself: packing, writing every file);
- peak memory of each worker's tree, sampled every ``SAMPLE_SECONDS``: summed RSS (counts the pages
  the forks share with their template once per process, so an upper bound) and summed PSS;
- what crosses the network per submission: the packed files in, the pickled result out (a few
  submissions graded again through the same cluster), and the reference once per worker.

Then it checks every student got a results.json and a gradebook row, and projects a 30,000-student
course from these numbers. The submissions are ``batch_throughput.generate``'s, all distinct up to
about 11,000; past that, copies of them under new names.

    .venv/bin/python benchmarks/dask_scale.py [--count 2000]
"""

from __future__ import annotations

import csv
import math
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from batch_throughput import generate
from common import Row, main_with_count

from autograder import DEFAULT_REFERENCE, KIT_ROOT
from autograder.integrations.dask_cluster import grade_packed, pack_reference, pack_submission
from autograder.outputs.gradebook import GRADEBOOK, RESULTS
from autograder.sandbox.runner import SECONDS_PER_FUNCTION

COUNT = 2000
WORKERS = 2
# One thread per worker: a grade already keeps a core busy (the worker's judging threads and its
# sandboxed children take turns), and on 2 cores the client and the scheduler need some of them too.
THREADS = 1
COURSE = 30_000
DEADLINES = {"1 hour": 3600.0, "15 minutes": 900.0}
SAMPLE_SECONDS = 0.5
PSS_EVERY = 4  # samples: PSS reads every page map of the tree, so less often than RSS
RESULT_SAMPLES = 4  # submissions graded again to weigh their pickled result
MB = 1024 * 1024


@dataclass
class Tree:
    """One worker process and what it started, as sampled during the run."""

    pid: int
    peak_rss: int = 0
    peak_pss: int = 0
    peak_processes: int = 0
    cpu_start: float = 0.0
    cpu_end: float = 0.0

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.pid)
        return [root, *root.children(recursive=True)]

    def cpu(self) -> float:
        """CPU seconds of the tree so far: each live process's own, plus that of the children it reaped
        (a fork ends before the next sample; its time is then in its parent's ``children_*``)."""
        total = 0.0
        for process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.Error:  # ended between the listing and the read
                continue
            total += times.user + times.system + times.children_user + times.children_system
        return total

    def sample(self, pss: bool) -> None:
        rss = pss_sum = 0
        processes = self.processes()
        for process in processes:
            try:
                rss += process.memory_info().rss
                if pss:
                    pss_sum += process.memory_full_info().pss
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss_sum)
        self.peak_processes = max(self.peak_processes, len(processes))


def _submissions(folder: Path, count: int) -> list[Path]:
    """``count`` student folders: ``generate``'s, then, if it runs out, copies of them under new names."""
    made = generate(folder, count)
    originals = list(made)
    while len(made) < count:
        source = originals[len(made) % len(originals)]
        copy = folder / f"copy-{len(made):05d}-{source.name}"
        shutil.copytree(source, copy)
        made.append(copy)
    return made


def _cluster_cpu() -> float:
    """CPU seconds of this process's threads other than the main one: the cluster's event loop (the
    scheduler, the nannies) and the idle measuring client. The main thread only samples."""
    main = threading.main_thread().native_id
    return sum(thread.user_time + thread.system_time for thread in psutil.Process().threads() if thread.id != main)


@dataclass
class Command:
    """What ``grade-all`` itself cost: wall and CPU seconds while grading (up to its "graded N" line,
    as last sampled), and in all, the class report after it included; its peak RSS."""

    grading_seconds: float = 0.0
    grading_cpu: float = 0.0
    seconds: float = 0.0
    cpu: float = 0.0
    rss: int = 0


def _grade_all(submissions: Path, out: Path, scheduler: str, trees: list[Tree], logs: Path) -> Command:
    """Run ``grade-all --scheduler`` as a TA would, sampling the workers until it ends. Its total CPU
    and peak RSS come from ``os.wait4`` (the client's own, nothing of the cluster's)."""
    client = Command()
    with (logs / "stdout").open("w") as stdout, (logs / "stderr").open("w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out",
                                    str(out), "--scheduler", scheduler], cwd=KIT_ROOT, stdin=subprocess.DEVNULL,
                                   stdout=stdout, stderr=stderr)
        samples = 0
        watched = psutil.Process(process.pid)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if not client.grading_seconds:  # the summary line comes when the last grade is written
                with suppress(psutil.Error):
                    times = watched.cpu_times()
                    client.grading_cpu = times.user + times.system
                if (logs / "stdout").stat().st_size:
                    client.grading_seconds = time.perf_counter() - started
            for tree in trees:
                tree.sample(pss=samples % PSS_EVERY == 0)
            samples += 1
            time.sleep(SAMPLE_SECONDS)
        client.seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"grade-all failed ({process.returncode}):\n{(logs / 'stderr').read_text()[-3000:]}")
    client.cpu, client.rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
    return client


def _check(made: list[Path], out: Path) -> str:
    """'' if every student has a results.json and one gradebook row, else what is missing."""
    students = {path.name for path in made}
    missing = sorted(s for s in students if not (out / s / RESULTS).is_file())
    with (out / GRADEBOOK).open(newline="") as file:
        listed = [row[0] for row in csv.reader(file)][1:]
    unlisted = students - set(listed)
    problems = []
    if missing:
        problems.append(f"{len(missing)} without {RESULTS} (first: {missing[0]})")
    if unlisted or len(listed) != len(students):
        problems.append(f"gradebook lists {len(listed)} rows for {len(students)} students")
    return "; ".join(problems)


def _task_stream(records: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
    """Worker address -> (grading tasks it ran, seconds it spent computing them)."""
    per_worker: dict[str, tuple[int, float]] = {}
    for record in records:
        if not str(record.get("key", "")).startswith("grade-"):
            continue
        busy = sum(s["stop"] - s["start"] for s in record["startstops"] if s["action"] == "compute")
        count, seconds = per_worker.get(record["worker"], (0, 0.0))
        per_worker[record["worker"]] = (count + 1, seconds + busy)
    return per_worker


def _result_bytes(client: Any, made: list[Path]) -> int:
    """Mean size of a pickled (Grade, probe digests), over a few submissions graded through the cluster."""
    [shared] = client.scatter([pack_reference(DEFAULT_REFERENCE)], broadcast=True)
    step = max(1, len(made) // RESULT_SAMPLES)
    futures = [client.submit(grade_packed, pack_submission(path), shared, 1, SECONDS_PER_FUNCTION, 2, pure=False)
               for path in made[::step][:RESULT_SAMPLES]]
    sizes = [len(pickle.dumps(future.result())) for future in futures]
    return sum(sizes) // len(sizes)


@dataclass(frozen=True)
class Run:
    """What one run measured."""

    count: int
    client: Command
    per_worker: dict[str, tuple[int, float]]
    worker_cpu: list[float]
    trees: list[Tree]
    scheduler_cpu: float
    packed_bytes: float
    reference_bytes: int
    result_bytes: int
    problem: str
    load: tuple[float, float]


def run(count: int = COUNT, threads: int = THREADS) -> Run:
    """Generate ``count`` submissions, grade them on a fresh LocalCluster, and measure."""
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="backprop-bench-scale-") as folder:
        made = _submissions(Path(folder) / "submissions", count)
        packed = [len(pickle.dumps(pack_submission(path))) for path in made]
        with (LocalCluster(n_workers=WORKERS, threads_per_worker=threads, processes=True,
                           dashboard_address=None) as cluster, Client(cluster) as client):
            client.get_task_stream()  # starts the scheduler's recording before any task runs
            trees = [Tree(pid) for pid in client.run(os.getpid).values()]
            for tree in trees:
                tree.cpu_start = tree.cpu()
            cluster_start = _cluster_cpu()
            load_start = os.getloadavg()[0]
            started = time.time()
            graded = _grade_all(Path(folder) / "submissions", Path(folder) / "out",
                                        cluster.scheduler_address, trees, Path(folder))
            scheduler_cpu = _cluster_cpu() - cluster_start
            for tree in trees:  # before the cluster ends them
                tree.cpu_end = tree.cpu()
            per_worker = _task_stream(client.get_task_stream(start=started))
            problem = _check(made, Path(folder) / "out")
            result_bytes = _result_bytes(client, made)
    return Run(count, graded, per_worker, [tree.cpu_end - tree.cpu_start for tree in trees], trees, scheduler_cpu,
               sum(packed) / len(packed), len(pickle.dumps(pack_reference(DEFAULT_REFERENCE))), result_bytes,
               problem, (load_start, os.getloadavg()[0]))


def _workers_for(seconds: float, rate: float) -> int:
    return math.ceil(COURSE / (rate * seconds))


def measure(count: int = COUNT) -> tuple[list[Row], list[str]]:
    """The table's rows and the projection for a ``COURSE``-student course, from one run."""
    r = run(count)
    seconds = r.client.grading_seconds
    rate = r.count / seconds
    tasks = sum(n for n, _ in r.per_worker.values())
    busy = sum(s for _, s in r.per_worker.values())
    per_worker_rate = rate / WORKERS  # each worker's share of the wall rate: what adding workers adds
    busy_rate = tasks / busy  # while grading, per worker
    worker_cpu = sum(r.worker_cpu) / r.count  # CPU seconds per submission, all a worker's tree
    client_cpu, scheduler_cpu = r.client.grading_cpu / r.count, r.scheduler_cpu / r.count
    report_seconds = r.client.seconds - seconds
    # One submission costs the client client_cpu on its single core, the scheduler scheduler_cpu on
    # its event loop: past these many workers (each at per_worker_rate), they are the bottleneck.
    client_limit = 1 / client_cpu / per_worker_rate
    scheduler_limit = 1 / scheduler_cpu / per_worker_rate
    peak_pss = max(t.peak_pss for t in r.trees)
    peak_rss = max(t.peak_rss for t in r.trees)
    split = ", ".join(f"{n} in {s:.0f} s busy" for n, s in sorted(r.per_worker.values()))
    rows = [
        Row(f"(h) dask: {r.count} submissions, {WORKERS} workers x {THREADS} thread", f"{seconds:.0f} s grading",
            f"{r.count / busy_rate / WORKERS:.0f} s busy", r.count / busy_rate / WORKERS / seconds,
            "every student graded", not r.problem,
            f"{rate:.2f} per second overall, {per_worker_rate:.2f} per worker; {split}; "
            f"load average {r.load[0]:.1f} at start, {r.load[1]:.1f} at end; {r.problem or 'all results and rows'}; "
            f"then the class report took {report_seconds:.0f} s ({r.client.seconds:.0f} s in all)"),
        Row("(h) dask: CPU per submission", f"{worker_cpu:.3f} s worker", f"{client_cpu + scheduler_cpu:.3f} s "
            "client + scheduler", worker_cpu / (client_cpu + scheduler_cpu), "client + scheduler < 10%",
            client_cpu + scheduler_cpu < 0.1 * worker_cpu,
            f"client (grade-all while grading: packing, writing the files) {client_cpu * 1000:.1f} ms "
            f"({(r.client.cpu - r.client.grading_cpu) / r.count * 1000:.1f} ms more for the class report), "
            f"scheduler (with the nannies) "
            f"{scheduler_cpu * 1000:.1f} ms; worker trees {', '.join(f'{c:.0f}' for c in r.worker_cpu)} CPU s; "
            f"while grading each worker did {busy_rate:.2f} per second"),
        Row("(h) dask: peak memory per worker", f"{peak_pss / MB:.0f} MB PSS", f"{peak_rss / MB:.0f} MB RSS",
            peak_rss / peak_pss, "< 1 GB per worker", peak_pss < 1024 * MB,
            f"worker + template + sandboxed children, up to {max(t.peak_processes for t in r.trees)} processes at "
            f"once; RSS counts the forks' shared pages once per process; the client peaked at "
            f"{r.client.rss / MB:.0f} MB RSS"),
        Row("(h) dask: bytes per submission", f"{r.packed_bytes / 1024:.0f} kB in",
            f"{r.result_bytes / 1024:.0f} kB out", 1.0, "< 1 MB", r.packed_bytes + r.result_bytes < MB,
            f"pickled packed files in, pickled (Grade, probe digests) out (mean of {RESULT_SAMPLES}); the reference, "
            f"{r.reference_bytes / 1024:.0f} kB, once per worker"),
    ]
    limit = min(client_limit, scheduler_limit)
    who = "client" if client_limit < scheduler_limit else "scheduler"
    projection = [f"{COURSE:,} students at {per_worker_rate:.2f} per worker per second "
                  f"({1 / worker_cpu:.2f} if each worker had a core to itself):"]
    for label, deadline in DEADLINES.items():
        needed = _workers_for(deadline, per_worker_rate)
        rows.append(Row(f"(h) {COURSE:,} in {label}", f"{needed} workers", f"{who} saturates at {limit:.0f}",
                        limit / needed, "client and scheduler keep up", needed <= limit,
                        f"{needed} workers ({math.ceil(needed / 2)} two-core machines): "
                        f"{COURSE / (per_worker_rate * needed) / 60:.0f} minutes"))
        alone = _workers_for(deadline, 1 / worker_cpu)
        projection.append(f"  in {label}: {needed} workers, {needed * peak_pss / 1024 ** 3:.1f} GB between them "
                          f"({alone} if each has a core to itself)")
    projection += [
        f"  the client is one process on one core: at {client_cpu * 1000:.1f} ms per submission it writes at most "
        f"{1 / client_cpu:.0f} submissions per second ({client_limit:.0f} workers); the scheduler "
        f"{1 / scheduler_cpu:.0f} per second ({scheduler_limit:.0f} workers)",
        f"  memory per worker: {peak_pss / MB:.0f} MB (PSS), {peak_rss / MB:.0f} MB (RSS); a two-core worker "
        f"machine: {2 * peak_rss / MB:.0f} MB",
        f"  the class report grade-all writes after grading took {report_seconds:.0f} s for {r.count}, on the "
        f"client, after the last grade; how it grows with the class: benchmarks/similarity_scale.py",
        f"  traffic for {COURSE:,}: {COURSE * (r.packed_bytes + r.result_bytes) / MB:.0f} MB in all, to and from "
        f"the client",
    ]
    return rows, projection


if __name__ == "__main__":
    main_with_count(__doc__, measure, COUNT, "submissions to grade")
