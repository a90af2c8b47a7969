"""What the sandbox costs per submission: sandboxed grading against in-process grading, same run.

Both grade the same submission (the reference, so every function runs every case) with the same
hidden cases and the same judging; they differ only in how the student's replies are collected:
in sandboxed children (what the grader does) or by importing the modules into this process (what a
grader without a trust boundary would do). Prints one line: the median overhead and both medians.

    .venv/bin/python benchmarks/sandbox_overhead.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

import numpy as np

from autograder import DEFAULT_REFERENCE, execute, sandbox
from autograder.diagnose import Diagnoser, load_catalogue
from autograder.grading import assess, collect_reference, collect_student, load_reference, plan
from autograder.rubric import load_rubric
from autograder.spec import FUNCTIONS, MODULES

SEED = 1


def _in_process(submission: Path, plans: dict) -> dict[str, list[dict]]:
    """The student's replies with the student's modules imported here: no boundary at all."""
    replies = {}
    for module in MODULES:
        spec = importlib.util.spec_from_file_location(f"_bench_{module}_{time.monotonic_ns()}",
                                                      submission / f"{module}.py")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        for function in (f for f in FUNCTIONS if f.module == module):
            replies[function.name] = execute.run_function(loaded, function, [p.request for p in plans[function.name]])
    return replies


def measure(repeat: int) -> tuple[float, float, str]:
    """Median seconds per submission, sandboxed and in-process, and the sandbox's summary line."""
    submission = DEFAULT_REFERENCE
    rubric = load_rubric(DEFAULT_REFERENCE)
    references = load_reference(DEFAULT_REFERENCE)
    diagnoser = Diagnoser(load_catalogue(DEFAULT_REFERENCE), references)
    plans = {function.name: plan(function, SEED) for function in FUNCTIONS}
    with np.errstate(all="ignore"):
        reference = collect_reference(references, plans)

    def sandboxed() -> float:
        student, _, _ = collect_student(submission, plans, 20.0)
        return sum(r.points for r in assess(plans, student, reference, rubric, diagnoser))

    def in_process() -> float:
        return sum(r.points for r in assess(plans, _in_process(submission, plans), reference, rubric, diagnoser))

    times: dict[str, list[float]] = {"sandboxed": [], "in-process": []}
    for _ in range(repeat):  # interleaved, so a busy moment hits both
        for name, run in (("sandboxed", sandboxed), ("in-process", in_process)):
            started = time.perf_counter()
            score = run()
            times[name].append(time.perf_counter() - started)
            assert score == 100, f"{name} graded the reference {score} / 100"
    return statistics.median(times["sandboxed"]), statistics.median(times["in-process"]), sandbox.current().summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    boxed, bare, summary = measure(args.repeat)
    print(f"sandbox overhead per submission: {boxed - bare:.3f} s (sandboxed {boxed:.3f} s, in-process "
          f"{bare:.3f} s, median of {args.repeat}; {summary})")


if __name__ == "__main__":
    main()
