"""The reference's answers to the class probe's seed, which every submission of a batch meets, are computed
once per process, and so is what each catalogued mistake gives on its cases: a grade that uses them is the
grade computed afresh, and no grade can change them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, build_submission

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import FUNCTIONS, Oracle
from autograder.grading import grade as grading
from autograder.grading.mistakes import Diagnoser
from autograder.grading.reference import load_reference
from autograder.integrations.similarity import grade_with_probe

PROBE = 424242
ENTRY = "buggy/affine_dw_no_transpose.py"  # a catalogued mistake: judging and naming it use the answers


def _seen(result: grading.Grade) -> list[tuple]:
    return [(r.verdict.function.name, r.verdict.check.id, r.points,
             [(str(f.message), f.case, f.tensor, tuple(f.mistakes)) for f in r.verdict.findings])
            for r in result.results]


def test_a_grade_with_the_kept_answers_is_the_grade_computed_afresh(tmp_path: Path) -> None:
    reference = load_reference(DEFAULT_REFERENCE)
    submission = build_submission(tmp_path / "submission", CORPUS / ENTRY)
    grading._shared.clear()
    fresh = grade_with_probe(submission, reference, 7, PROBE, 4.0)
    assert grading._shared, "the probe's answers were not kept"
    assert any(r.verdict.findings and r.verdict.findings[0].mistakes for r in fresh[0].results)
    kept = grade_with_probe(submission, reference, 7, PROBE, 4.0)  # the kept answers
    assert _seen(kept[0]) == _seen(fresh[0]) and kept[1] == fresh[1]


def test_the_mistakes_run_once_per_process_on_the_probes_cases(tmp_path: Path, monkeypatch) -> None:
    reference = load_reference(DEFAULT_REFERENCE)
    submission = build_submission(tmp_path / "submission", CORPUS / ENTRY)
    runs: list[bool] = []  # per mistake run: whether its case was one of the probe's
    real = Diagnoser._run

    def run(self, function, mistake, request):
        runs.append(id(request) in self._shared)
        return real(self, function, mistake, request)

    monkeypatch.setattr(Diagnoser, "_run", run)
    grading._shared.clear()
    first = grade_with_probe(submission, reference, 7, PROBE, 4.0)
    assert any(runs) and not all(runs), "the probe's cases and the student's both named mistakes"
    (kept,) = grading._shared.values()
    assert kept.predictions
    with pytest.raises(ValueError, match="read-only"):
        next(p["grads"] for p in kept.predictions.values() if p.get("grads"))["dw"][...] = 0.0
    runs.clear()
    again = grade_with_probe(submission, reference, 8, PROBE, 4.0)  # another student's seed, the same probe
    assert runs and not any(runs), "the probe's predictions were computed again"
    assert again[1] == first[1]  # the probe's digests, which leave out functions whose mistakes are named


def test_the_kept_answers_cannot_be_changed() -> None:
    reference = load_reference(DEFAULT_REFERENCE)
    plans = {f.name: [p for p in grading.plan(f, PROBE) if p.check.oracle is not Oracle.FINITE_DIFFERENCES]
             for f in FUNCTIONS}
    answers = grading.shared_answers(reference, PROBE, plans).answers
    assert grading.shared_answers(reference, PROBE, plans).answers is answers
    arrays = [reply["out"] for replies in answers.values() for reply in replies]
    assert arrays and all(isinstance(array, np.ndarray) for array in arrays)
    with pytest.raises(ValueError, match="read-only"):
        arrays[0][...] = 0.0
    other = load_reference(DEFAULT_REFERENCE)  # another reference (another course) never gets them
    assert grading.shared_answers(other, PROBE, plans).answers is not answers
