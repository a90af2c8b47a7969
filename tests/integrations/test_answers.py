"""The notebooks' answer cells scored outside the kernel (``integrations/nbgrader/answer_cells.py``): the test
cells parse, correct answers pass, wrong, tampering, looping and unwritten ones fail with a message."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nbgrader")
import nbformat

from autograder import DEFAULT_REFERENCE
from autograder.integrations.nbgrader.answer_cells import (
    AnswerTestError,
    answer_cells_before,
    is_answer_test,
    judge,
    load_nbcheck,
    parse_test,
    run_answers,
)

NOTEBOOKS = sorted(DEFAULT_REFERENCE.glob("*.ipynb"))
NBCHECK = load_nbcheck(DEFAULT_REFERENCE)


def _tests() -> list[tuple[nbformat.NotebookNode, int]]:
    found = []
    for path in NOTEBOOKS:
        notebook = nbformat.reads(path.read_text(), as_version=4)
        found += [(notebook, index) for index, cell in enumerate(notebook.cells) if is_answer_test(cell)]
    return found


TESTS = _tests()


def _verdicts(cells_by_test: dict[str, list[str]]) -> dict[str, str]:
    """grade id -> "" (passed) or the failure, for the given answer cells of each test."""
    chosen = {nb.cells[i].metadata["nbgrader"]["grade_id"]: (nb, i) for nb, i in TESTS}
    parsed = {grade_id: parse_test(nb.cells[i].source) for grade_id, (nb, i) in chosen.items()
              if grade_id in cells_by_test}
    requests = {grade_id: {"cells": cells_by_test[grade_id], "setup": list(test.setup),
                           "calls": [check.call for check in test.checks]} for grade_id, test in parsed.items()}
    replies = run_answers(requests, seconds_per_answer=5)
    return {grade_id: judge(test, replies[grade_id], NBCHECK) for grade_id, test in parsed.items()}


def _solution(grade_id: str) -> list[str]:
    nb, index = next((nb, i) for nb, i in TESTS if nb.cells[i].metadata["nbgrader"]["grade_id"] == grade_id)
    return answer_cells_before(nb, index)


def test_every_answer_test_of_the_course_is_in_the_trusted_form() -> None:
    assert len(TESTS) == 8
    for notebook, index in TESTS:
        test = parse_test(notebook.cells[index].source)
        assert test.checks and notebook.cells[index].metadata["nbgrader"]["grade_id"] == f"test_{test.name}"


@pytest.mark.parametrize("source", ["assert True", "with open('x'):\n    pass",
                                    "with nbcheck.answer('f'):\n    print(f(1))",
                                    "with nbcheck.answer('f'):\n    nbcheck.expect_close('f', f(1))"])
def test_a_test_cell_in_another_form_is_refused(source: str) -> None:
    with pytest.raises(AnswerTestError):
        parse_test(source)


def test_the_reference_answers_pass() -> None:
    grade_ids = [nb.cells[i].metadata["nbgrader"]["grade_id"] for nb, i in TESTS]
    verdicts = _verdicts({grade_id: _solution(grade_id) for grade_id in grade_ids})
    assert verdicts == dict.fromkeys(grade_ids, "")


@pytest.mark.e2e  # every kind of wrong answer run end to end, a looping one waited out for its 5 s
def test_wrong_tampering_looping_and_unwritten_answers_fail_with_a_message() -> None:
    verdicts = _verdicts({
        "test_saturated_fraction": ["def saturated_fraction(z, tol=1e-3):\n    return 0.5\n"],
        "test_shrink_factors": ["import numpy\nnumpy.allclose = lambda *a, **k: True\nnp.asarray = lambda *a, **k: 0\n"
                                "def shrink_factors(norms):\n    return None\n"],
        "test_dead_fraction": ["def dead_fraction(hidden):\n    while True:\n        pass\n"],
        "test_first_step_at": ["def first_step_at(history, threshold):\n    raise NotImplementedError()\n"],
        "test_spectral_radius": ["def spectral_radius(W):\n    return helper(W)\n"],
        "test_growth_per_step": ["import os\ndef growth_per_step(lengths, ratios):\n    os._exit(0)\n"],
    })
    assert "expected 0.75, got 0.5" in verdicts["test_saturated_fraction"]
    assert "got None" in verdicts["test_shrink_factors"]
    assert "more than 5 s" in verdicts["test_dead_fraction"]
    assert "not written yet" in verdicts["test_first_step_at"]
    assert "helper" in verdicts["test_spectral_radius"] and "own cell" in verdicts["test_spectral_radius"]
    assert verdicts["test_growth_per_step"] != ""


def test_a_notebook_of_answers_is_scored_by_the_preprocessor_not_the_kernel() -> None:
    from traitlets.config import Config

    from autograder.integrations.nbgrader.answer_cells import TrustedAnswerGrades

    notebook = nbformat.reads(NOTEBOOKS[0].read_text(), as_version=4)
    for cell in notebook.cells:  # the kernel "printed" full marks everywhere
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2.0"})] \
            if cell.cell_type == "code" else []
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_shrink_factors":
            cell.source = "def shrink_factors(norms):\n    return norms\n"
    config = Config()
    config.CourseDirectory.root = str(DEFAULT_REFERENCE.parent.parent)
    config.CourseDirectory.source_directory = "solutions"
    preprocessor = TrustedAnswerGrades(config=config)
    scored, _ = preprocessor.preprocess(notebook, {"nbgrader": {"assignment": "backprop"}})
    results = {c.metadata["nbgrader"]["grade_id"]: c.outputs[-1]["data"]["text/plain"]
               for c in scored.cells if is_answer_test(c)}
    assert results == {"test_saturated_fraction": "2.0", "test_shrink_factors": "0.0"}
    assert "✗ shrink_factors([1, 4, 20])" in next(c for c in scored.cells if c.metadata.get("nbgrader", {}).get(
        "grade_id") == "test_shrink_factors").outputs[0]["text"]


def test_what_the_answer_child_says_reads_in_the_student_s_language() -> None:
    """Each of the child's sentences, arrived as plain text, is said again in Vietnamese, its fields (Python's
    own words among them) kept; the English stays what the child wrote."""
    from autograder.core.text import speaker
    from autograder.integrations.nbgrader.answer_cells import said
    from autograder.integrations.nbgrader.answer_child import NOT_WRITTEN, WORDS

    vi = speaker("vi")
    fields = {"error": "NameError: name 'helper' is not defined", "kind": "str", "count": 200000, "seconds": "5",
              "code": -9}
    for template in WORDS:
        english = template.format(**fields)
        again = said(english)
        assert str(again) == english
        assert vi(again) != english and vi(again) == vi(again.__class__(template, dict(again.fields)))
        for name in ("error", "kind", "count", "seconds", "code"):
            if "{" + name + "}" in template:
                assert str(fields[name]) in vi(again), (template, name)
    assert said("something the child never says") == "something the child never says"
    raised = said("raised ValueError: bad value (line 3: x = f(1))")
    assert raised == "raised ValueError: bad value (line 3: x = f(1))"
    assert vi(raised) == "raise ValueError: bad value (dòng 3: x = f(1))"
    test = parse_test("with nbcheck.answer('f'):\n    nbcheck.expect_close('f(1)', f(1), 2.0)")
    unwritten = judge(test, {"values": [], "error": NOT_WRITTEN}, NBCHECK)
    assert unwritten == f"f: {NOT_WRITTEN}" and vi(unwritten).startswith("f: chưa được viết")
    none = judge(test, {"values": [{"none": True}], "error": ""}, NBCHECK)
    assert none == "f(1): expected a number or an array, got None"
    assert vi(none) == "f(1): cần một số hoặc một mảng, nhận được None"


def test_nbcheck_words_a_wrong_answer_in_the_course_s_language() -> None:
    """The failures nbcheck words itself (a wrong value, a wrong shape) read in the course's language, from
    the release's catalog beside the reference, and stay English in an English course."""
    from english import english_words

    from autograder.core.text import speaker

    test = parse_test("with nbcheck.answer('f'):\n    nbcheck.expect_close('f(1)', f(1), [0.75, 1.0])")
    for values, english in (([{"array": np.array([0.5, 1.0])}], "f(1): element [0] should be 0.75, got 0.5"),
                            ([{"array": np.array([0.5])}], "f(1): expected shape (2,), got shape (1,)")):
        reply = {"values": values, "error": ""}
        assert judge(test, reply, NBCHECK) == english
        vietnamese = speaker("vi")(judge(test, reply, load_nbcheck(DEFAULT_REFERENCE, "vi")))
        assert vietnamese != english and english_words(vietnamese) == [], vietnamese
        assert "0.75" in vietnamese or "(2,)" in vietnamese


def test_a_reference_without_the_language_s_catalog_says_what_to_run(tmp_path: Path) -> None:
    """A course graded in Vietnamese whose reference folder has no compiled catalog (never built, or deleted)
    is the TA's to fix: one line naming the missing file and the commands that make it."""
    shutil.copyfile(DEFAULT_REFERENCE / "nbcheck.py", tmp_path / "nbcheck.py")
    with pytest.raises(AnswerTestError) as raised:
        load_nbcheck(tmp_path, "vi")
    message = str(raised.value)
    assert "\n" not in message
    assert str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "assignment.mo") in message
    assert "python -m autograder translations" in message and "make release" in message
