"""Hostile submissions: each attack costs only the functions it targets, with a message that says what
happened. Every other function gets full marks, the grader exits 0 with a result, no process is left
behind, nothing is written outside the child's scratch folder and no local server is reached.

Each file in ``tests/adversarial/`` is one attack, appended to the reference module TARGET: it
targets FUNCTIONS (comma-separated), its feedback must match the regular expression EXPECT, and
TIME_LIMIT (optional) is the per-function time limit. Its own answers are wrong in every way a
check can see, so any point it scored would have come from the attack working. The submission-level
attacks (files next to the modules, a symlink) are below.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from arena import Arena
from helpers import ADVERSARIAL, corpus_entry

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import FUNCTIONS
from autograder.sandbox.host import current

ATTACKS = sorted(ADVERSARIAL.glob("*.py"))
LAYERS = {f.name for f in FUNCTIONS if f.module == "layers"}

pytestmark = pytest.mark.skipif(not current().landlock, reason="needs Landlock (Linux >= 5.13)")


def test_there_are_at_least_25_attacks() -> None:
    assert len(ATTACKS) >= 25


@pytest.mark.e2e  # every attack of tests/adversarial, each graded through the CLI
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda path: path.stem)
def test_attack_is_contained(arena: Arena, attack: Path) -> None:
    entry = corpus_entry(attack)
    submission = arena.build(entry["TARGET"], attack.read_text())
    outcome = arena.grade(submission, time_limit=float(entry.get("TIME_LIMIT", 5)))
    arena.assert_contained(outcome, set(entry["FUNCTIONS"].split(",")), entry["EXPECT"])


WRONG_RELU = '''
def relu_backward(dout, cache):
    return scribble(dout)
'''


@pytest.mark.parametrize("name", ["numpy.py", "autograder.py", "conftest.py", "sitecustomize.py"])
def test_files_beside_the_modules_are_never_run(arena: Arena, name: str) -> None:
    submission = arena.build("layers", WRONG_RELU)
    escape = "".join(f"open({str(m)!r}, 'w').write('escaped')\n" for m in arena.markers)
    (submission / name).write_text(
        "import builtins, numpy\n" + escape +
        "numpy.allclose = lambda *a, **k: True\nbuiltins.isinstance = lambda *a: True\n"
        "def pytest_runtest_makereport(item, call):\n    call.excinfo = None\n")
    outcome = arena.grade(submission)
    arena.assert_contained(outcome, {"relu_backward"}, r"expected .* got|modified dout")


def test_symlink_to_the_reference_is_refused(arena: Arena) -> None:
    submission = arena.build("layers", "")
    (submission / "layers.py").unlink()
    os.symlink(DEFAULT_REFERENCE / "layers.py", submission / "layers.py")
    outcome = arena.grade(submission)
    arena.assert_contained(outcome, LAYERS, r"layers\.py is a symbolic link; submit the file itself")
