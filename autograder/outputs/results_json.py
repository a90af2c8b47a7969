"""results.json in Gradescope's autograder format: the one builder behind ``grade --json``, grade-all,
nbgrader-free batches and Gradescope itself, so the same grade gives the same file on every path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.core.files import write_atomically
from autograder.core.text import ENGLISH, T_, Say, speaker
from autograder.grading.grade import Grade, GraderError
from autograder.grading.rubric import VISIBLE
from autograder.outputs.feedback import Audience, CheckFeedback, FunctionFeedback, build_feedback


def test_output(function: FunctionFeedback, check: CheckFeedback, say: Say = ENGLISH) -> str:
    """The output of one Gradescope test (one check): empty when it passed; ``say``: the feedback's language."""
    if check.passed:
        return ""
    if function.summary:
        return function.summary
    return "\n".join([*check.lines(say), *(say(T_("note: {note}", note=note)) for note in function.notes)])


def gradescope_results(grade: Grade, visibility: dict[str, dict[str, str]] | None = None,
                       audience: Audience = Audience.STUDENT, seed: bool = True,
                       probe: dict[str, str] | None = None, language: str = "en") -> dict[str, Any]:
    """The results.json dictionary in Gradescope's autograder format: the one builder behind
    ``grade --json``, grade-all and Gradescope. Its text is ``build_feedback(grade, audience)``'s, for a
    student unless told otherwise. ``visibility`` (``Reference.visibility``) gives each check's test
    its visibility; a check it leaves out is visible. ``seed``: keep the seed in ``extra_data`` (the
    gradebook's column) or not (where students could read the file). ``probe``: grade-all's digests of
    the student's uncatalogued wrong answers on the class probe (``integrations.similarity``), kept in
    ``extra_data`` for the TA's similarity review; no score or text comes from them. ``language``: the
    students' (``language.checked``); test names and scores are the same in every language."""
    visibility = visibility or {}
    feedback = build_feedback(grade, audience, language)
    tests = []
    for number, result in enumerate(grade.results, start=1):
        function = feedback.of(result.verdict.function.name)
        check = next((c for c in function.checks if c.check == result.verdict.check.id),
                     CheckFeedback(feedback.say(result.verdict.check.title), result.points, result.max_points,
                                   result.verdict.passed))
        tests.append({
            "name": f"{result.verdict.function.name}: {feedback.say(result.verdict.check.title)}",  # = result.name
            "number": str(number),
            "score": result.points,
            "max_score": result.max_points,
            "status": "passed" if result.verdict.passed else "failed",
            "output": test_output(function, check, feedback.say),
            "output_format": "text",
            "tags": [result.verdict.function.name, result.verdict.check.id],
            # For the TA's class tools: the known mistakes its wrong answers matched, by catalogue id.
            "extra_data": {"mistakes": sorted({id_ for f in result.verdict.findings for id_, _ in f.mistakes})},
            "visibility": visibility.get(result.verdict.function.name, {}).get(result.verdict.check.id, VISIBLE),
        })
    extra = {"max_score": grade.max_score, "sandbox": grade.sandbox, "versions": grade.versions,
             "measured_backwards": grade.measured}
    if seed:
        extra = {"seed": grade.seed, **extra}
    if probe is not None:
        extra["probe"] = probe
    return {
        "score": grade.score,
        "execution_time": round(grade.seconds, 3),
        "output": "\n".join([*feedback.facts, *feedback.module_problems.values()]),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": extra,
        "tests": tests,
    }


def failure_results(error: BaseException, seconds: float, language: str = "en") -> dict[str, Any]:
    """The results.json of a submission the grader could not grade: 0 points, and why, for the instructor."""
    output = speaker(language)(T_("The autograder could not run, so your submission was not graded. This is not "
                                  "your fault: please tell your instructor."))
    if isinstance(error, GraderError):  # says what the autograder needs, for the instructor to fix
        output += f"\n\n{error}"
    return {
        "score": 0.0,
        "execution_time": round(seconds, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"grader_error": f"{type(error).__name__}: {error}"},
        "tests": [],
    }


def dumps(results: dict[str, Any]) -> str:
    """results.json's text: the same indentation on every path."""
    return json.dumps(results, indent=2) + "\n"


def write_json(grade: Grade, path: Path, visibility: dict[str, dict[str, str]] | None = None,
               language: str = "en") -> None:
    """Write results.json atomically, so a reader never sees half of it."""
    write_atomically(path, dumps(gradescope_results(grade, visibility, language=language)))
