"""(c) The students' public tests: wall time of ``python -m pytest`` in the release, solved.

A copy of ``assignment/backprop`` with the reference modules in place of the stubs (so every test
runs, none is skipped), timed as a student runs it: a fresh Python, pytest's collection included.

    .venv/bin/python benchmarks/public_tests.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import Row, median_seconds
from helpers import reference_source

from autograder import DEFAULT_RELEASE

REPEAT = 3
AIM_SECONDS = 3.0


def measure() -> Row:
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as folder:
        release = Path(folder) / "backprop"
        shutil.copytree(DEFAULT_RELEASE, release, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        for module in ("layers", "rnn_layers"):
            (release / f"{module}.py").write_text(reference_source(module) + "\n")

        summary = []

        def run() -> None:
            done = subprocess.run([sys.executable, "-m", "pytest"], cwd=release, capture_output=True, text=True,
                                  timeout=300, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                raise RuntimeError(f"the public tests fail on the reference:\n{done.stdout}{done.stderr}")
            summary.append(done.stdout.strip().splitlines()[-1])

        seconds = median_seconds(run, REPEAT)
    return Row("(c) students' public pytest", f"{seconds:.2f} s", f"{AIM_SECONDS:g} s budget", AIM_SECONDS / seconds,
               f"≤ {AIM_SECONDS:g} s", seconds <= AIM_SECONDS, f"median of {REPEAT} runs; pytest says: {summary[-1]}")


if __name__ == "__main__":
    print(measure())
