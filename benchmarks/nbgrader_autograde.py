"""(a) Grading one submission with the kit against ``nbgrader autograde`` of the same submission,
and (a') what confining the notebooks' kernels costs that autograde.

A copy of this repository's nbgrader course (``nbgrader_config.py``, ``solutions/``) in a temporary
folder: ``nbgrader generate_assignment``, then one student whose folder is the release with the
reference modules in place of the stubs and the notebooks as released. Timed, each as a TA runs it
from the shell: ``nbgrader autograde backprop --student S`` (once: it is slow) and
``python -m autograder grade FOLDER --seed SEED`` (median of 3), with the seed nbgrader's
preprocessor derives for that student. Same score: the layer cells' points in nbgrader's gradebook
must equal the kit's score. (a'): the same ``nbgrader autograde --force``, alternately with the course's
configuration (confined kernels) and with nbgrader's own ``Execute`` in its place (ordinary kernels),
median of 2 each.

    .venv/bin/python benchmarks/nbgrader_autograde.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Row, median_seconds
from helpers import reference_source

from autograder import KIT_ROOT

ASSIGNMENT = "backprop"
STUDENT = "student"
REPEAT = 3
AIM = 10.0
CONFINED_REPEAT = 2
CONFINED_AIM = 1.3  # confined / unconfined time


def _unconfined_course(course: Path) -> None:
    """The course configuration with nbgrader's own Execute: ordinary kernels, everything else the same."""
    config = course / "nbgrader_config.py"
    text = config.read_text()
    assert text.count("    ConfinedExecute,\n") == 1
    text = text.replace("    ConfinedExecute,\n", "    Execute,\n").replace(
        "from nbgrader.preprocessors import (\n", "from nbgrader.preprocessors import (\n    Execute,\n")
    config.write_text(text)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done


def _layer_points(course: Path) -> float:
    from nbgrader.api import Gradebook

    from autograder.integrations.nbgrader.layer_cells import LAYER_CELLS

    total = 0.0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook in gradebook.find_assignment(ASSIGNMENT).notebooks:
            submitted = gradebook.find_submission_notebook(notebook.name, ASSIGNMENT, STUDENT)
            total += sum(grade.auto_score or 0.0 for grade in submitted.grades if grade.name in LAYER_CELLS)
    return total


def _autograde_seconds(course: Path) -> float:
    started = time.perf_counter()
    _run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", STUDENT, "--force"], course)
    return time.perf_counter() - started


def measure() -> tuple[list[Row], float]:
    """The rows, and nbgrader's seconds for the one submission."""
    from autograder.integrations.seeds import course_seed, secret_path

    with tempfile.TemporaryDirectory(prefix="backprop-bench-course-") as folder:
        course = Path(folder)
        shutil.copyfile(KIT_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(KIT_ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        _run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT], course)
        submission = course / "submitted" / STUDENT / ASSIGNMENT
        shutil.copytree(course / "assignment" / ASSIGNMENT, submission)
        for module in ("layers", "rnn_layers"):
            (submission / f"{module}.py").write_text(reference_source(module) + "\n")

        started = time.perf_counter()
        _run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", STUDENT], course)
        nbgrader_seconds = time.perf_counter() - started
        nbgrader_points = _layer_points(course)

        seed = course_seed(secret_path(f"sqlite:///{course / 'gradebook.db'}", course), ASSIGNMENT, STUDENT, submission)
        results = course / "results.json"
        command = [sys.executable, "-m", "autograder", "grade", str(submission), "--reference",
                   str(course / "solutions" / ASSIGNMENT), "--seed", str(seed), "--json", str(results)]
        kit_seconds = median_seconds(lambda: _run(command, KIT_ROOT), REPEAT)
        kit_points = json.loads(results.read_text())["score"]

        unconfined = Path(folder) / "unconfined"
        shutil.copytree(course, unconfined, ignore=shutil.ignore_patterns("autograded", "results.json"))
        _unconfined_course(unconfined)
        confined_times, unconfined_times = [], []
        for _ in range(CONFINED_REPEAT):
            confined_times.append(_autograde_seconds(course))
            unconfined_times.append(_autograde_seconds(unconfined))
        confined_points, unconfined_points = _layer_points(course), _layer_points(unconfined)

    confined, plain = statistics.median(confined_times), statistics.median(unconfined_times)
    cost = confined / plain
    cost_row = Row("(a') nbgrader autograde, confined kernels vs ordinary", f"{confined:.2f} s", f"{plain:.2f} s",
                   plain / confined, f"≥ {1 / CONFINED_AIM:.2f}x (≤ {CONFINED_AIM:g}x the time)",
                   cost <= CONFINED_AIM and confined_points == unconfined_points,
                   f"same layer points ({confined_points:g} and {unconfined_points:g}); each a median of "
                   f"{CONFINED_REPEAT} runs, alternating")
    ratio = nbgrader_seconds / kit_seconds
    same = abs(kit_points - nbgrader_points) < 1e-6
    return [Row("(a) one submission vs nbgrader autograde", f"{kit_seconds:.2f} s", f"{nbgrader_seconds:.2f} s",
               ratio, f"≥ {AIM:g}x, same score", ratio >= AIM and same,
               f"kit {kit_points:g} / 100, nbgrader's layer cells {nbgrader_points:g}; nbgrader also runs the four "
               f"notebooks (its own tests and plots), which the kit does not grade"), cost_row], nbgrader_seconds


if __name__ == "__main__":
    print(*measure()[0], sep="\n")
