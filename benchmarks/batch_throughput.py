"""(d) Batch throughput: ``grade-all -j 2`` on 200 generated submissions, extrapolated to 1000; and
what the sandbox costs per submission.

The 200: the reference, the untouched release, the two example submissions, every corpus mutant
(``tests/corpus/buggy``: one realistic mistake each; ``tests/corpus/correct``: correct code written
differently), and the rest pairs of mistakes in different functions. Timed from the shell, start-up
and gradebook included. The baseline is nbgrader, which grades one student after another: 1000
times its per-submission time from (a) when that was measured, else FACTS.md's 5.4 s.

    .venv/bin/python benchmarks/batch_throughput.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Row, floor_seconds
from helpers import CORPUS, build_submission, corpus_entry
from sandbox_overhead import measure_before_after

from autograder import DEFAULT_RELEASE, EXAMPLES, KIT_ROOT

COUNT = 200
TARGET = 1000
BUDGET_SECONDS = 300.0
JOBS = 2
NBGRADER_SECONDS = 5.4  # per submission, measured on a tiny course (FACTS.md)
OVERHEAD_REPEAT = 10
FRESH_COUNT = 50  # graded again with children started fresh, for comparison
FLOOR_AIM = 0.5  # per submission, times python -c 'import numpy'


def generate(folder: Path, count: int = COUNT) -> list[Path]:
    """``count`` submission folders in ``folder``, each a student."""
    buggy = sorted((CORPUS / "buggy").glob("*.py"))
    correct = sorted((CORPUS / "correct").glob("*.py"))
    copies = [("release", DEFAULT_RELEASE),
              *((path.name, path) for path in sorted(EXAMPLES.iterdir()))]
    plans: list[tuple[str, tuple[Path, ...]]] = [("reference", ())]
    plans += [(f"mutant-{path.stem}", (path,)) for path in buggy + correct]
    expect = {path: corpus_entry(path)["EXPECT"] for path in buggy}
    for shift in range(1, len(buggy)):  # pairs of mistakes in two different functions
        plans += [(f"pair-{first.stem}-{second.stem}", (first, second))
                  for first, second in zip(buggy, buggy[shift:] + buggy[:shift], strict=True)
                  if expect[first] != expect[second]]
        if len(plans) + len(copies) >= count:
            break
    made = []
    for name, source in copies:
        (folder / name).mkdir(parents=True)
        for module in ("layers.py", "rnn_layers.py"):
            shutil.copyfile(source / module, folder / name / module)
        made.append(folder / name)
    made += [build_submission(folder / name, *replacements) for name, replacements in plans[:count - len(made)]]
    return made


def _grade_all(submissions: Path, out: Path, forked: bool = True) -> float:
    """Wall time of ``grade-all -j JOBS`` over ``submissions``, from the shell."""
    env = {**os.environ, "BACKPROP_FORK_SERVER": "1" if forked else "0"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                           "-j", str(JOBS)], cwd=KIT_ROOT, capture_output=True, text=True, timeout=3600,
                          stdin=subprocess.DEVNULL, env=env)
    seconds = time.perf_counter() - started
    count = len(list(submissions.iterdir()))
    if done.returncode != 0 or f"graded {count}," not in done.stdout:
        raise RuntimeError(f"grade-all failed:\n{done.stdout}{done.stderr}")
    return seconds


def measure(nbgrader_seconds: float | None = None, floor: float | None = None) -> list[Row]:
    floor = floor if floor is not None else floor_seconds()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-batch-") as folder:
        submissions = Path(folder) / "submissions"
        count = len(generate(submissions))
        seconds = _grade_all(submissions, Path(folder) / "out")
        fresh_submissions = Path(folder) / "fresh"
        fresh_submissions.mkdir()
        for path in sorted(submissions.iterdir())[:FRESH_COUNT]:
            path.rename(fresh_submissions / path.name)
        fresh = _grade_all(fresh_submissions, Path(folder) / "fresh-out", forked=False) / FRESH_COUNT
    projected = seconds / count * TARGET
    each = seconds / count
    per_submission = nbgrader_seconds if nbgrader_seconds is not None else NBGRADER_SECONDS
    source = "from (a)" if nbgrader_seconds is not None else "FACTS.md"
    boxed, earlier, bare, summary = measure_before_after(OVERHEAD_REPEAT)
    return [
        Row(f"(d) batch: {TARGET} submissions, -j {JOBS}", f"{projected:.0f} s", f"{per_submission * TARGET:,.0f} s",
            per_submission * TARGET / projected, f"< {BUDGET_SECONDS:g} s", projected < BUDGET_SECONDS,
            f"{count} graded in {seconds:.1f} s ({count / seconds:.2f} per second), times {TARGET / count:g}; "
            f"baseline: nbgrader one after another at {per_submission:.1f} s each ({source})"),
        Row(f"(d) batch: one submission, -j {JOBS}", f"{each:.3f} s", f"{floor:.3f} s floor", floor / each,
            f"≤ {FLOOR_AIM:g}x floor", each <= FLOOR_AIM * floor,
            f"{each / floor:.2f}x python -c 'import numpy' per submission; with children started fresh instead of "
            f"forked ({FRESH_COUNT} submissions): {fresh:.3f} s, {fresh / floor:.2f}x the floor; ratio: floor / time"),
        Row("(d) sandbox's cost, one submission", f"{boxed:.3f} s sandboxed", f"{bare:.3f} s in-process",
            bare / boxed, "(no aim: the price of safety)", True,
            f"running the student's code in the sandbox instead of importing it into the grader costs "
            f"{boxed - bare:.3f} s per submission (median of {OVERHEAD_REPEAT}, same cases and judging); without the "
            f"syscall filter and the grader-watched inputs it cost {earlier - bare:.3f} s in this run; {summary}"),
    ]


if __name__ == "__main__":
    for row in measure():
        print(row)
