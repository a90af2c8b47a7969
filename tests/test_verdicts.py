"""The grader's verdicts: full marks for every correct implementation, lost points for every bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CORPUS, build_submission, corpus_entry, scores_by_function

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.grading import grade

CORRECT = sorted((CORPUS / "correct").glob("*.py"))
BUGGY = sorted((CORPUS / "buggy").glob("*.py"))
REFERENCE_SEEDS = range(20)
VARIANT_SEEDS = range(100, 104)
MUTANT_SEEDS = range(200, 203)


def _failures(result) -> str:
    return "\n".join(f"{r.name}: {[f.message for f in r.verdict.findings]}" for r in result.results
                     if not r.verdict.passed)


@pytest.mark.parametrize("seed", REFERENCE_SEEDS)
def test_reference_gets_full_marks(seed: int) -> None:
    result = grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, seed)
    assert result.score == result.max_score > 0, _failures(result)


def test_untouched_release_scores_zero_and_says_not_implemented() -> None:
    result = grade(DEFAULT_RELEASE, DEFAULT_REFERENCE, 7)
    assert result.score == 0
    assert all(r.verdict.not_implemented for r in result.results)


@pytest.mark.parametrize("variant", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_gets_full_marks(variant: Path, tmp_path: Path) -> None:
    submission = build_submission(tmp_path, variant)
    for seed in VARIANT_SEEDS:
        result = grade(submission, DEFAULT_REFERENCE, seed)
        assert result.score == result.max_score, f"seed {seed}:\n{_failures(result)}"


@pytest.mark.parametrize("mutant", BUGGY, ids=lambda p: p.stem)
def test_buggy_implementation_loses_points_only_where_the_bug_is(mutant: Path, tmp_path: Path) -> None:
    entry = corpus_entry(mutant)
    submission = build_submission(tmp_path, mutant)
    for seed in MUTANT_SEEDS:
        scores = scores_by_function(grade(submission, DEFAULT_REFERENCE, seed))
        got, most = scores.pop(entry["EXPECT"])
        assert got < most, f"seed {seed}: {mutant.stem} was not caught"
        scores.pop(entry.get("ALSO", ""), None)
        assert all(g == m for g, m in scores.values()), f"seed {seed}: other functions lost points: {scores}"
