"""``make bench``: the kit against what its users would otherwise run, each a ratio measured now, here.

(a) grading one submission vs ``nbgrader autograde`` of it     benchmarks/nbgrader_autograde.py
(a') that autograde with confined kernels vs ordinary ones      benchmarks/nbgrader_autograde.py
(b) the kit's gradient checker vs CS231n's element loop        benchmarks/gradient_check.py
(c) the students' public pytest run                            benchmarks/public_tests.py
(d) grade-all throughput on 2 cores, and the sandbox's cost    benchmarks/batch_throughput.py
(e) the source reader on one module                            benchmarks/source_reader.py
(f) diff, export, class-report, 1,000 students                benchmarks/regrade_tools.py
(g) one CLI grade against the floor of python + numpy           benchmarks/start_up.py
(h) a class of 40 through nbgrader, -j 2 vs nbgrader autograde  benchmarks/nbgrader_parallel.py

Prints the machine and one table (ratio: how many times better the kit is; for a time budget, the
budget over the time taken), then the notes. Takes about 10 minutes on 2 cores, most of it (h). Other
load on the machine slows both sides, but not by the same factor: run it on an idle machine.

    .venv/bin/python benchmarks/bench.py
"""

from __future__ import annotations

import time

import batch_throughput
import gradient_check
import nbgrader_autograde
import nbgrader_parallel
import public_tests
import regrade_tools
import source_reader
import start_up
from common import floor_seconds, machine, table


def main() -> None:
    started = time.perf_counter()
    print(f"machine: {machine()}", flush=True)
    floor = floor_seconds()
    print(f"floor: python -c 'import numpy' takes {floor:.3f} s here", flush=True)
    autograde, nbgrader_seconds = nbgrader_autograde.measure()
    gradients, details = gradient_check.measure()
    pytest_row = public_tests.measure()
    batch = batch_throughput.measure(nbgrader_seconds, floor)
    start = start_up.measure(floor)
    nbgrader_class = nbgrader_parallel.measure()
    reader = source_reader.measure()
    regrade = regrade_tools.measure()
    print()
    print(table([*autograde, *gradients, pytest_row, *batch, *reader, *regrade, *start, *nbgrader_class]))
    print("  (b) " + "\n  (b) ".join(details))
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
