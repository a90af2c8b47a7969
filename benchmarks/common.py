"""What every benchmark shares: the table row, the machine, timing, and the kit's test helpers."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import KIT_ROOT

sys.path.insert(0, str(KIT_ROOT / "tests"))  # build_submission, reference_source: the kit's own test helpers


@dataclass(frozen=True)
class Row:
    """One line of the table: the kit against what users would otherwise run."""

    name: str
    kit: str
    baseline: str
    ratio: float  # how many times better the kit is (baseline / kit), or the budget's headroom
    aim: str
    met: bool
    note: str = ""


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, numpy {np.__version__}; load average {load:.1f} at start")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_whole(command: list[str], timeout: float, **popen: object) -> subprocess.CompletedProcess:
    """``subprocess.run(command, timeout=timeout, check=True)`` for timing a whole process: it returns the
    moment the process ends. (``run`` given a timeout and no pipes to read polls for the end, sleeping
    0.5 ms, then 1, 2, 4 ... up to 50 ms between looks: a process of 80 ms is seen to end at 113.5 ms.)"""
    timed_out = threading.Event()
    with subprocess.Popen(command, **popen) as process:  # type: ignore[call-overload]

        def stop() -> None:
            timed_out.set()
            process.kill()

        killer = threading.Timer(timeout, stop)
        killer.start()
        try:
            output, errors = process.communicate()  # blocks in wait(), or on the pipes: no polling
        finally:
            killer.cancel()
    if timed_out.is_set():
        raise subprocess.TimeoutExpired(command, timeout, output, errors)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, output, errors)
    return subprocess.CompletedProcess(command, process.returncode, output, errors)


def floor_seconds(repeat: int = 7) -> float:
    """The floor every Python tool of the kit stands on: ``python -c "import numpy"``, median wall time."""

    def start() -> None:
        run_whole([sys.executable, "-c", "import numpy"], 60, stdin=subprocess.DEVNULL)

    start()  # the first run reads numpy from disk; the ones measured find it in the page cache, as a TA's do
    return median_seconds(start, repeat)


def table(rows: list[Row]) -> str:
    header = ("benchmark", "kit", "baseline", "ratio", "aim", "met")
    lines = [(r.name, r.kit, r.baseline, f"{r.ratio:,.1f}x", r.aim, "yes" if r.met else "NO") for r in rows]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]
    out = [" | ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)),
           "-+-".join("-" * width for width in widths)]
    out += [" | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)) for cells in lines]
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    return "\n".join(out + (["", *notes] if notes else []))


def main_with_count(doc: str, measure: Callable[[int], tuple[list[Row], list[str]]], count: int, what: str) -> None:
    """A scale benchmark's command line: ``--count N`` (default ``count`` of ``what``), then the machine,
    the table of ``measure(N)``'s rows and its projection lines."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=count, help=f"{what} (default {count})")
    arguments = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    rows, lines = measure(arguments.count)
    print()
    print(table(rows))
    print()
    print("\n".join(lines))
