"""What the sandbox costs per submission: sandboxed grading against in-process grading, same run.

All grade the same submission (the reference, so every function runs every case) with the same
hidden cases and the same judging; they differ only in how the student's replies are collected:
in sandboxed children (what the grader does), in sandboxed children without the syscall filter
and without the grader-watched inputs of the no-mutation cases (the sandbox before those two
walls), or by importing the modules into this process (what a grader without a trust boundary
would do). Prints one line: the median overheads and the medians.

    .venv/bin/python benchmarks/sandbox_overhead.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from autograder import DEFAULT_REFERENCE
from autograder.core import calling
from autograder.core.spec import FUNCTIONS, MODULES
from autograder.grading.grade import Planned, assess, collect_reference, collect_student, plan
from autograder.grading.mistakes import Diagnoser
from autograder.grading.reference import load_reference
from autograder.sandbox import host, runner

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
            replies[function.name] = calling.run_function(loaded, function, [p.request for p in plans[function.name]])
    return replies


@contextmanager
def _earlier_walls() -> Iterator[None]:
    """Children as they were before the syscall filter: the same policy without ``syscalls``."""
    policy = runner.child_policy

    def without_filter(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**policy(*args, **kwargs), "syscalls": ""}

    runner.child_policy = without_filter
    try:
        yield
    finally:
        runner.child_policy = policy


def _unwatched(plans: dict) -> dict:
    """The same plans with no input watched by the grader (no shared memory)."""
    return {name: [Planned(p.check, p.case, {k: v for k, v in p.request.items() if k != "observe"}) for p in planned]
            for name, planned in plans.items()}


def measure_before_after(repeat: int) -> tuple[float, float, float, str]:
    """Median seconds per submission: sandboxed, sandboxed with the earlier walls, in-process; and the
    sandbox's summary line."""
    submission = DEFAULT_REFERENCE
    loaded = load_reference(DEFAULT_REFERENCE)
    rubric, references = loaded.rubric.points, loaded.modules
    diagnoser = Diagnoser(list(loaded.mistakes), references)
    plans = {function.name: plan(function, SEED) for function in FUNCTIONS}
    with np.errstate(all="ignore"):
        reference = collect_reference(references, plans)

    def sandboxed() -> float:
        student, _, _ = collect_student(submission, plans, 20.0)
        return sum(r.points for r in assess(plans, student, reference, rubric, diagnoser))

    unwatched = _unwatched(plans)

    def earlier() -> float:
        with _earlier_walls():
            student, _, _ = collect_student(submission, unwatched, 20.0)
        return sum(r.points for r in assess(plans, student, reference, rubric, diagnoser))

    def in_process() -> float:
        return sum(r.points for r in assess(plans, _in_process(submission, plans), reference, rubric, diagnoser))

    times: dict[str, list[float]] = {"sandboxed": [], "earlier": [], "in-process": []}
    for _ in range(repeat):  # interleaved, so a busy moment hits all three
        for name, run in (("sandboxed", sandboxed), ("earlier", earlier), ("in-process", in_process)):
            started = time.perf_counter()
            score = run()
            times[name].append(time.perf_counter() - started)
            assert score == 100, f"{name} graded the reference {score} / 100"
    medians = {name: statistics.median(values) for name, values in times.items()}
    return medians["sandboxed"], medians["earlier"], medians["in-process"], host.current().summary()


def measure(repeat: int) -> tuple[float, float, str]:
    """Median seconds per submission, sandboxed and in-process, and the sandbox's summary line."""
    boxed, _, bare, summary = measure_before_after(repeat)
    return boxed, bare, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    boxed, earlier, bare, summary = measure_before_after(args.repeat)
    print(f"sandbox overhead per submission: {boxed - bare:.3f} s now, {earlier - bare:.3f} s without the syscall "
          f"filter and the watched inputs (sandboxed {boxed:.3f} s, before {earlier:.3f} s, in-process {bare:.3f} s, "
          f"median of {args.repeat}; {summary})")


if __name__ == "__main__":
    main()
