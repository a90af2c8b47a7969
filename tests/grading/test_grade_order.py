"""The order of one grade's work: its children start before the grader computes the reference's answers
(their set-up would otherwise wait for the interpreter lock at every system call), and a failure while
starting them ends the grade instead of leaving it waiting."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from autograder import DEFAULT_REFERENCE
from autograder.grading import grade as grading
from autograder.sandbox import runner

SEED = 3


def test_the_reference_is_computed_once_every_child_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, float]] = []
    start, reference = runner._start, grading.collect_reference

    def started(*args, **kwargs):
        process = start(*args, **kwargs)
        events.append(("child", time.perf_counter()))
        return process

    def computed(*args, **kwargs):
        events.append(("reference", time.perf_counter()))
        return reference(*args, **kwargs)

    monkeypatch.setattr(runner, "_start", started)
    monkeypatch.setattr(grading, "collect_reference", computed)
    result = grading.grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, SEED)
    assert result.score == result.max_score
    assert [kind for kind, _ in sorted(events, key=lambda event: event[1])] == ["child", "child", "reference"]


def test_a_failure_before_any_child_runs_ends_the_grade(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args, **_kwargs):
        raise OSError("no room for a scratch folder")

    monkeypatch.setattr(runner, "_run_module", broken)
    raised: list[BaseException] = []

    def grade() -> None:
        try:
            grading.grade(Path(DEFAULT_REFERENCE), DEFAULT_REFERENCE, SEED)
        except OSError as error:
            raised.append(error)

    thread = threading.Thread(target=grade, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the grade waited for children that never started"
    assert [str(error) for error in raised] == ["no room for a scratch folder"]
