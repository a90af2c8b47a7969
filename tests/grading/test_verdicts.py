"""The grader's verdicts on both corpora (a CI-sized sample of ``make verdicts``).

Every correct implementation gets full marks on every seed; every mutant loses points in its own
function (and nowhere it cannot reach) on every seed; most are named as their mistake.
"""

from __future__ import annotations

import pytest
from corpus_verdicts import collect, entries, flaky_entries, is_caught, is_diagnosed, is_false_failure, problems

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade
from autograder.grading.reference import load_reference

pytestmark = pytest.mark.e2e  # real tools or many seeds: left out of the fast loop

SEEDS = {"reference": list(range(20)), "correct": list(range(100, 103)), "buggy": list(range(200, 202))}
DIAGNOSIS_TARGET = 0.8


@pytest.fixture(scope="module")
def outcomes():
    return collect(SEEDS)


def test_corpora_cover_every_graded_function() -> None:
    buggy, correct = entries(["buggy"]), entries(["correct"])
    assert len(buggy) >= 60 and len(correct) >= 25
    for function in FUNCTIONS:
        assert sum(e.expect == function.name for e in buggy) >= 3, function.name
        assert any(function.name in e.graded for e in correct), function.name


def test_every_mutant_names_a_catalogued_mistake() -> None:
    known = {mistake.id for mistake in load_reference(DEFAULT_REFERENCE).mistakes}
    assert {e.mistake for e in entries(["buggy"])} - known == set()


def test_no_false_failures(outcomes) -> None:
    false = [o for o in outcomes if is_false_failure(o)]
    assert not false, "\n".join(problems(false))


def test_every_mutant_is_caught_on_every_seed(outcomes) -> None:
    missed = [o for o in outcomes if o.entry.kind == "buggy" and not is_caught(o)]
    assert not missed, "\n".join(problems(missed))


def test_no_verdict_depends_on_the_seed(outcomes) -> None:
    assert flaky_entries(outcomes) == set()


def test_most_mutants_are_diagnosed_as_their_mistake(outcomes) -> None:
    buggy = [o for o in outcomes if o.entry.kind == "buggy"]
    rate = sum(map(is_diagnosed, buggy)) / len(buggy)
    undiagnosed = sorted({f"{o.entry.name} (named {sorted(o.named)})" for o in buggy if not is_diagnosed(o)})
    assert rate >= DIAGNOSIS_TARGET, f"{rate:.0%} diagnosed; not: {undiagnosed}"


def test_untouched_release_scores_zero_and_says_not_implemented() -> None:
    result = grade(DEFAULT_RELEASE, DEFAULT_REFERENCE, 7)
    assert result.score == 0
    assert all(r.verdict.not_implemented for r in result.results)
