"""Every report says which Python and numpy graded it: a student whose code passes at home and fails
here can see at once whether the two environments differ."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import BY_NAME
from autograder.grading.grade import grade
from autograder.outputs.report import text_report
from autograder.outputs.results_json import gradescope_results

VERSIONS = f"Python {platform.python_version()}, numpy {np.__version__}"


@pytest.fixture(scope="module")
def graded():
    return grade(DEFAULT_REFERENCE, DEFAULT_REFERENCE, seed=3, only=["relu_backward"])


def test_the_grade_records_the_versions_that_graded_it(graded) -> None:
    assert graded.versions == VERSIONS


def test_the_text_report_and_results_json_state_them(graded) -> None:
    assert f"\nGraded with {VERSIONS}.\n" in text_report(graded)
    results = gradescope_results(graded)
    assert f"\nGraded with {VERSIONS}." in results["output"]
    assert results["extra_data"]["versions"] == VERSIONS


def test_the_nbgrader_cell_states_them(graded) -> None:
    layer_cells = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    results = [r for r in graded.results if r.verdict.function.name == "relu_backward"]
    text = layer_cells.cell_feedback(BY_NAME["relu_backward"], results, graded, 1.0, 1.0)
    assert text.splitlines()[1] == f"  graded with {VERSIONS}"
