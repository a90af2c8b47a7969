"""(f) ``diff``, ``export`` and ``class-report`` over a class of 1,000: wall time of each command, from the shell.

Two synthetic grade-all folders of 1,000 students each: every student a results.json with one test per
check of the rubric (about 35), a tenth of them failing with a few lines of feedback; between the two
runs one check is repriced and a tenth of the students change a verdict, as after a regrade. Each
command is timed as a TA runs it, a fresh Python included, against the floor of any command of the
kit: starting Python and importing numpy.

    .venv/bin/python benchmarks/regrade_tools.py
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from common import Row, median_seconds

from autograder import KIT_ROOT
from autograder.core.spec import FUNCTIONS

STUDENTS = 1000
REPEAT = 3
AIM_SECONDS = 5.0  # "seconds" for a class: the TA waits for it at the terminal
FEEDBACK = "\n".join(["dw is wrong: 12 of 30 elements differ, worst at [2, 1]",
                      "  expected 0.4132, got -0.4132 (tolerance 1e-07)", "looks like: forgot the transpose"])


def _results(rng: random.Random, points: dict[tuple[str, str], float]) -> dict:
    tests = []
    for (function, check), most in points.items():
        passed = rng.random() > 0.1
        tests.append({"name": f"{function}: {check}", "score": most if passed else 0.0, "max_score": most,
                      "status": "passed" if passed else "failed", "output": "" if passed else FEEDBACK,
                      "output_format": "text", "tags": [function, check], "extra_data": {"mistakes": []},
                      "visibility": "visible"})
    return {"score": sum(t["score"] for t in tests), "extra_data": {"seed": rng.randrange(2**32)}, "tests": tests}


def generate(root: Path, students: int = STUDENTS) -> tuple[Path, Path, Path]:
    """OLD and NEW grade-all folders and a Canvas roster for ``students`` students."""
    old, new = root / "old", root / "new"
    points = {(function.name, check.id): 2.0 for function in FUNCTIONS for check in function.checks}
    repriced = {**points, next(iter(points)): 3.0}
    roster = ["student,name,canvas_id,sis_user_id,sis_login_id,section"]
    for number in range(students):
        student = f"s{number:04d}"
        seed = random.Random(number)
        before = _results(seed, points)
        after = _results(random.Random(number + (students if number % 10 == 0 else 0)), repriced)
        for folder, results in ((old, before), (new, after)):
            (folder / student).mkdir(parents=True)
            (folder / student / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        roster.append(f"{student},Student {number},{1000 + number},S{number},login{number},Section {number % 4}")
    (root / "roster.csv").write_text("\n".join(roster) + "\n")
    return old, new, root / "roster.csv"


def _run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=KIT_ROOT, check=True, capture_output=True, timeout=300,
                   stdin=subprocess.DEVNULL)


def measure() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="backprop-bench-diff-") as folder:
        old, new, roster = generate(Path(folder))
        floor = median_seconds(lambda: _run("-c", "import numpy"), REPEAT)
        diff = median_seconds(lambda: _run("-m", "autograder", "diff", str(old), str(new),
                                           "--json", str(Path(folder) / "diff.json")), REPEAT)
        export = median_seconds(lambda: _run("-m", "autograder", "export", str(new), "--format", "canvas",
                                             "--roster", str(roster), "--out", str(Path(folder) / "canvas.csv")),
                                REPEAT)
        report = median_seconds(lambda: _run("-m", "autograder", "class-report", str(new)), REPEAT)
        changed = len(json.loads((Path(folder) / "diff.json").read_text())["changed"])
    baseline = f"{floor:.2f} s (python + numpy)"
    return [Row(f"(f) diff, {STUDENTS} students", f"{diff:.2f} s", baseline, AIM_SECONDS / diff,
                f"< {AIM_SECONDS:g} s", diff < AIM_SECONDS,
                f"{changed} changed; {diff - floor:.2f} s over the floor; ratio: headroom under the aim"),
            Row(f"(f) export canvas, {STUDENTS} students", f"{export:.2f} s", baseline, AIM_SECONDS / export,
                f"< {AIM_SECONDS:g} s", export < AIM_SECONDS,
                f"{export - floor:.2f} s over the floor; ratio: headroom under the aim"),
            Row(f"(f) class-report, {STUDENTS} students", f"{report:.2f} s", baseline, AIM_SECONDS / report,
                f"< {AIM_SECONDS:g} s", report < AIM_SECONDS,
                f"class.json and class.html with its plots; {report - floor:.2f} s over the floor")]


if __name__ == "__main__":
    from common import table

    print(table(measure()))
