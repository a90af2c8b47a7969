"""(a) Grading one submission with the kit against ``nbgrader autograde`` of the same submission.

A copy of this repository's nbgrader course (``nbgrader_config.py``, ``solutions/``) in a temporary
folder: ``nbgrader generate_assignment``, then one student whose folder is the release with the
reference modules in place of the stubs and the notebooks as released. Timed, each as a TA runs it
from the shell: ``nbgrader autograde backprop --student S`` (once: it is slow) and
``python -m autograder grade FOLDER --seed SEED`` (median of 3), with the seed nbgrader's
preprocessor derives for that student. Same score: the layer cells' points in nbgrader's gradebook
must equal the kit's score.

    .venv/bin/python benchmarks/nbgrader_autograde.py
"""

from __future__ import annotations

import json
import os
import shutil
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


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done


def _layer_points(course: Path) -> float:
    from nbgrader.api import Gradebook

    from autograder.nbgrader import LAYER_CELLS

    total = 0.0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook in gradebook.find_assignment(ASSIGNMENT).notebooks:
            submitted = gradebook.find_submission_notebook(notebook.name, ASSIGNMENT, STUDENT)
            total += sum(grade.auto_score or 0.0 for grade in submitted.grades if grade.name in LAYER_CELLS)
    return total


def measure() -> tuple[Row, float]:
    """The row, and nbgrader's seconds for the one submission."""
    from autograder.nbgrader import course_seed, secret_path

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

        seed = course_seed(secret_path(f"sqlite:///{course / 'gradebook.db'}", course), ASSIGNMENT, STUDENT)
        results = course / "results.json"
        command = [sys.executable, "-m", "autograder", "grade", str(submission), "--reference",
                   str(course / "solutions" / ASSIGNMENT), "--seed", str(seed), "--json", str(results)]
        kit_seconds = median_seconds(lambda: _run(command, KIT_ROOT), REPEAT)
        kit_points = json.loads(results.read_text())["score"]

    ratio = nbgrader_seconds / kit_seconds
    same = abs(kit_points - nbgrader_points) < 1e-6
    return Row("(a) one submission vs nbgrader autograde", f"{kit_seconds:.2f} s", f"{nbgrader_seconds:.2f} s",
               ratio, f"≥ {AIM:g}x, same score", ratio >= AIM and same,
               f"kit {kit_points:g} / 100, nbgrader's layer cells {nbgrader_points:g}; nbgrader also runs the four "
               f"notebooks (its own tests and plots), which the kit does not grade"), nbgrader_seconds


if __name__ == "__main__":
    print(measure()[0])
