"""(h) A class of 40 through nbgrader: ``nbgrader autograde backprop`` (one student after another) against
``python -m autograder nbgrader-autograde backprop -j 2`` (two at a time, nbgrader's own autograde in each).

A copy of this repository's nbgrader course in a temporary folder, released with nbgrader; 40 students,
each the release with every answer written and the reference modules; the course's secret made before
the course is copied, so both copies grade with the same seeds. Timed once each, as a TA runs them
from the shell, in copies of the same course. Same results: the gradebook's rows for every student
and cell must be equal (ids aside), as the e2e test checks in detail.

    .venv/bin/python benchmarks/nbgrader_parallel.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Row

STUDENTS = 40
JOBS = 2
AIM = 1.5  # on 2 cores: each autograde waits on its kernels part of the time, so 2 at once should be well over 1x


def _timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - started


def measure() -> list[Row]:
    from nbgrader_course import ASSIGNMENT, correct_modules, gradebook_rows, new_course, solved, write_student

    from autograder.integrations.seeds import read_secret, secret_path

    with tempfile.TemporaryDirectory(prefix="backprop-bench-class-") as folder:
        base = Path(folder) / "base"
        base.mkdir()
        new_course(base)
        read_secret(secret_path(f"sqlite:///{base / 'gradebook.db'}", base))
        modules = correct_modules(base / "modules")
        notebooks = solved(base)
        for n in range(STUDENTS):
            write_student(base, f"student{n:02d}", notebooks, modules)
        sequential, parallel = Path(folder) / "sequential", Path(folder) / "parallel"
        shutil.copytree(base, sequential)
        shutil.copytree(base, parallel)
        load = os.getloadavg()[0]
        nbgrader_seconds = _timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], sequential)
        kit_seconds = _timed([sys.executable, "-m", "autograder", "nbgrader-autograde", ASSIGNMENT, "-j", str(JOBS)],
                             parallel)
        same = gradebook_rows(sequential) == gradebook_rows(parallel)
        graded = len(gradebook_rows(parallel))
    ratio = nbgrader_seconds / kit_seconds
    return [Row(f"(h) {STUDENTS} students through nbgrader, -j {JOBS} vs nbgrader autograde", f"{kit_seconds:.0f} s",
                f"{nbgrader_seconds:.0f} s", ratio, f"≥ {AIM:g}x, same gradebook", ratio >= AIM and same,
                f"{kit_seconds / STUDENTS:.1f} s vs {nbgrader_seconds / STUDENTS:.1f} s per student; {graded} students "
                f"in the gradebook, rows {'equal' if same else 'NOT equal'} to nbgrader's own; each timed once, "
                f"load average {load:.1f} before")]


if __name__ == "__main__":
    print(*measure(), sep="\n")
