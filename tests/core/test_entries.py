"""What is graded is data on the entries of ``core/spec.py``: no other module of the kit names a graded function.

Adding a graded function touches ``spec.py``, the reference solution, the rubric and the mistake
catalogue; everything else reads the entry (its kinks, subgradients, case generator, dependencies).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import autograder
from autograder import DEFAULT_REFERENCE
from autograder.core import numeric
from autograder.core.cases import GENERATORS, cases_for
from autograder.core.spec import BY_NAME, FUNCTIONS, GradedFunction
from autograder.grading.grade import Grade, Result
from autograder.grading.verdicts import Finding, Verdict
from autograder.outputs.feedback import dependency_note, not_implemented_line
from autograder.outputs.report import text_report
from autograder.sandbox import replies

PACKAGE = Path(autograder.__file__).parent
SPEC = PACKAGE / "core" / "spec.py"
NAMES = re.compile(r"\b(" + "|".join(re.escape(function.name) for function in FUNCTIONS) + r")\b")


def _string_constants(tree: ast.AST) -> list[ast.Constant]:
    """Every string constant of ``tree`` that is a value, not a docstring (a string standing alone as a
    statement, as module, class and function docstrings and attribute docstrings do)."""
    standalone = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in standalone]


def test_no_module_but_spec_names_a_graded_function() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == SPEC:
            continue
        for node in _string_constants(ast.parse(path.read_text(encoding="utf-8"))):
            match = NAMES.search(node.value)
            if match:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {match.group()!r} in {node.value!r}")
    assert not found, "graded functions named outside core/spec.py (make it a field of the entry):\n" + "\n".join(found)


def test_the_search_sees_names_in_strings_but_not_in_docstrings() -> None:
    tree = ast.parse('"""About relu_backward."""\nX = f"{y} then rnn_backward"\nZ = "layers_relu_backward"\n')
    assert [node.value for node in _string_constants(tree) if NAMES.search(node.value)] == [" then rnn_backward"]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_each_entry_names_a_generator_that_draws_every_check(function: GradedFunction) -> None:
    assert function.cases in GENERATORS
    cases = cases_for(function, seed=0)  # raises when a check has no cases
    assert {check.id for check in function.checks} <= set(cases)


def test_dependencies_are_other_graded_functions() -> None:
    for function in FUNCTIONS:
        assert all(name in BY_NAME and name != function.name for name in function.depends_on), function.name


@pytest.mark.parametrize("function", [f for f in FUNCTIONS if f.kinks or f.subgradients], ids=lambda f: f.name)
def test_kinks_and_subgradients_are_about_differentiable_inputs(function: GradedFunction) -> None:
    wrt = {arg for _, arg in function.grads}
    for case in (case for cases in cases_for(function, seed=0).values() for case in cases):
        for arg, distance in (function.kinks(case.args) if function.kinks else {}).items():
            assert arg in wrt and distance.shape == np.shape(case.args[arg]) and np.all(distance >= 0)
        for arg, (lower, upper) in (function.subgradients(case.args, case.dout) if function.subgradients
                                    else {}).items():
            assert arg in wrt and lower.shape == upper.shape == np.shape(case.args[arg])


def _grade(failing: set[str], not_implemented: set[str] = frozenset()) -> Grade:
    results = []
    for function in FUNCTIONS:
        for check in function.checks:
            wrong = function.name in failing
            verdict = Verdict(function, check, findings=[Finding("a case", "wrong")] if wrong else [],
                              not_implemented=function.name in not_implemented)
            results.append(Result(verdict, 1.0 if verdict.passed else 0.0, 1.0))
    return Grade(Path("submission"), 1, results)


def test_the_dependency_note_is_built_from_depends_on_and_shown_in_the_report_and_the_cell() -> None:
    layer_cells = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    dependent = next(f for f in FUNCTIONS if f.depends_on)
    callee = BY_NAME[dependent.depends_on[0]]
    both = _grade({dependent.name, callee.name})
    note = dependency_note(dependent, both)
    assert note == f"{dependent.name} probably calls {callee.name}, which fails above: fix that first."
    assert f"note: {note}" in " ".join(text_report(both).split())
    results = [r for r in both.results if r.verdict.function is dependent]
    assert f"note: {note}" in " ".join(layer_cells.cell_feedback(dependent, results, both, 0.0, 1.0).split())
    assert dependency_note(dependent, _grade({dependent.name})) == ""
    assert dependency_note(callee, both) == ""
    assert "note:" not in text_report(_grade({dependent.name}))


def test_the_not_implemented_line_is_the_same_in_the_report_and_the_cell() -> None:
    layer_cells = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    function = FUNCTIONS[0]
    grade = _grade(set(), not_implemented={function.name})
    line = not_implemented_line(function)
    assert line == f"not implemented yet (it raises NotImplementedError): write it in {function.file}"
    assert f"\n    {line}\n" in text_report(grade)
    results = [r for r in grade.results if r.verdict.function is function]
    assert layer_cells.cell_feedback(function, results, grade, 0.0, 1.0).endswith(f"\n  {line}")


def test_failed_replies_have_one_shape() -> None:
    made = replies.failure("layers.py \x1b[2Jcould not be imported", 2, import_failed=True)
    assert made == [{"error": "layers.py could not be imported", "not_implemented": False, "import_failed": True,
                     "grader_text": True}] * 2
    assert made[0] is not made[1]
    assert replies.failure("late", 1) == [{"error": "late", "not_implemented": False, "grader_text": True}]
    assert replies.clean({"cases": [{"out": "not an array"}]}, 1) == [{"error": replies.MALFORMED,
                                                                        "not_implemented": False, "grader_text": True}]
    # The child cannot claim the grader wrote its text: the field is not read from its reply.
    forged = {"error": "x 12.5", "not_implemented": False, "grader_text": True}
    assert replies.clean({"cases": [forged]}, 1) == [{"error": "x 12.5", "not_implemented": False}]


def test_the_public_tests_take_the_graders_tolerances_from_gradcheck() -> None:
    conftest = (DEFAULT_REFERENCE / "public_tests" / "conftest.py").read_text(encoding="utf-8")
    assigned = {target.id for node in ast.parse(conftest).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    for name in ("REFERENCE_RTOL", "REFERENCE_ATOL_OF_MAX", "REFERENCE_ATOL_OF_UPSTREAM", "FD_RTOL", "FD_ATOL_OF_MAX"):
        assert isinstance(getattr(numeric, name), float)
        assert f"gradcheck.{name}" in conftest
    assert not {name for name in assigned if "TOL" in name}
