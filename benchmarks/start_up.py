"""(g) One ``python -m autograder grade`` of the reference, against the floor of ``python -c "import numpy"``:
with the children forked from a template (``forks``) and, for comparison, started fresh
(``BACKPROP_FORK_SERVER=0``), all timed in the same run, whole processes from the shell.

    .venv/bin/python benchmarks/start_up.py
"""

from __future__ import annotations

import os
import subprocess
import sys

from common import Row, floor_seconds, median_seconds, run_whole

from autograder import DEFAULT_REFERENCE, KIT_ROOT

REPEAT = 7
AIM = 2.5  # times the floor


def _grade(forked: bool) -> None:
    env = {**os.environ, "BACKPROP_FORK_SERVER": "1" if forked else "0"}
    run_whole([sys.executable, "-m", "autograder", "grade", str(DEFAULT_REFERENCE), "--seed", "1"], 120, cwd=KIT_ROOT,
              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def measure(floor: float | None = None) -> list[Row]:
    floor = floor if floor is not None else floor_seconds()
    _grade(True)
    forked = median_seconds(lambda: _grade(True), REPEAT)
    fresh = median_seconds(lambda: _grade(False), REPEAT)
    return [Row("(g) one CLI grade", f"{forked:.3f} s", f"{floor:.3f} s floor", floor / forked,
                f"≤ {AIM:g}x floor", forked <= AIM * floor,
                f"{forked / floor:.2f}x python -c 'import numpy' (median of {REPEAT}); with children started fresh "
                f"instead of forked: {fresh:.3f} s, {fresh / floor:.2f}x the floor; ratio: floor / grade")]


if __name__ == "__main__":
    for row in measure():
        print(row)
