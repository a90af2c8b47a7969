"""What students read: the same facts as the TA's report, and never a value of a hidden case.

The child process runs the student's code and can write any reply, so a submission that wants the
hidden cases (to hard-code their answers) tries to smuggle them out through every text that reaches
a student: an exception's message, its type's name, a traceback it forges, a shape, what it prints.
Each attack below encodes the first value of each hidden ``dout`` as digits and as letters; none of
them may appear in report.txt, results.json or the nbgrader cell, while the TA's report shows them
(so the test can see a leak when there is one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import build_submission

from autograder import DEFAULT_REFERENCE
from autograder.core.numeric import FLIPPED, OFF, REFERENCE_RTOL, RIGHT, worst_mismatch
from autograder.core.spec import BY_NAME, Oracle
from autograder.grading.grade import Grade, grade, plan
from autograder.grading.verdicts import Finding
from autograder.outputs.feedback import Audience, build_feedback, finding_line, masked
from autograder.outputs.feedback import picture as feedback_picture
from autograder.outputs.report import text_report
from autograder.outputs.results_json import dumps, gradescope_results

SEED = 11
RELU = BY_NAME["relu_backward"]

ENCODE = '''
import numpy as np

def _digits(dout):
    return f"{abs(float(dout.flat[0])):.6f}".replace(".", "")

def _letters(dout):
    return "".join("abcdefghij"[int(digit)] for digit in _digits(dout))

'''

ATTACKS = {
    "own raise, digits": "raise ValueError(_digits(dout))",
    "own raise, letters": "raise ValueError(_letters(dout))",
    "assert": "assert False, _letters(dout)",
    "sys.exit": "import sys; sys.exit(_letters(dout))",
    "exception class named by the value": "raise type(_letters(dout).upper(), (Exception,), {})()",
    "a numpy dtype": "return np.zeros(3, dtype=np.dtype(_letters(dout)))",
    "float of text": "return float(_letters(dout))",
    "np.testing err_msg": "np.testing.assert_equal(1, 2, err_msg=_letters(dout))",
    "exec": "exec('raise ValueError(%r)' % _letters(dout))",
    # The child reads tracebacks with the traceback module, which the code can replace.
    "a forged traceback": (
        "import traceback; traceback.extract_tb = lambda tb, limit=None: [traceback.FrameSummary("
        "'layers.py', 3, 'relu_backward', line='# ' + _letters(dout))]; float('x')"),
    "a shape": "return np.zeros(int('1' + _digits(dout)[:5]))",
    "printed": "print(_digits(dout), _letters(dout)); return dout * (cache > 0)",
    "a key error": "return {}[_letters(dout)]",
}


def _secrets(seed: int) -> list[str]:
    """The first value of each hidden ``dout`` of relu_backward, as digits and as letters (5 of each)."""
    secrets = []
    for planned in plan(RELU, seed):
        digits = f"{abs(float(np.asarray(planned.case.dout).flat[0])):.6f}".replace(".", "")
        secrets += [digits[:5], "".join("abcdefghij"[int(d)] for d in digits[:5])]
    return secrets


def _student_surfaces(result: Grade) -> dict[str, str]:
    nbgrader = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    results = [r for r in result.results if r.verdict.function is RELU]
    return {"report.txt": text_report(result, Audience.STUDENT),
            "results.json": dumps(gradescope_results(result, seed=False)),
            "nbgrader cell": nbgrader.cell_feedback(RELU, results, result, 0.0, 2.0)}


@pytest.mark.e2e  # grades a submission per attack
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_hidden_value_reaches_a_student(tmp_path: Path, attack: str) -> None:
    source = tmp_path / "attack.py"
    source.write_text(f'TARGET = "layers"\n{ENCODE}\n\ndef relu_backward(dout, cache):\n    {ATTACKS[attack]}\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED, only=[RELU.name])
    assert sum(r.points for r in result.results) == 0 or attack == "printed"
    secrets = _secrets(SEED)
    for surface, text in _student_surfaces(result).items():
        leaked = [secret for secret in secrets if secret.lower() in text.lower()]
        assert not leaked, f"{attack}: {surface} shows {leaked}:\n{text}"
    if attack in ("own raise, digits", "own raise, letters", "printed"):
        ta = text_report(result).lower()
        assert any(secret.lower() in ta for secret in secrets), "the TA's report should show the values"


@pytest.mark.e2e  # grades a submission
def test_a_crash_reads_the_same_on_every_student_surface(tmp_path: Path) -> None:
    """The nbgrader cell once said only "wrong on the hidden cases" of a backward that crashed."""
    source = tmp_path / "transpose.py"
    source.write_text('TARGET = "layers"\n\n\ndef affine_backward(dout, cache):\n    x, w, b = cache\n'
                      '    dx = (dout @ w).reshape(x.shape)\n'
                      '    return dx, x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)\n')
    submission = build_submission(tmp_path / "submission", source)
    result = grade(submission, DEFAULT_REFERENCE, SEED, only=["affine_backward"])
    line = next(number for number, text in enumerate((submission / "layers.py").read_text().splitlines(), 1)
                if "dout @ w)" in text)
    expected = f"ValueError on line {line} of layers.py (in affine_backward): dx = (dout @ w).reshape(x.shape)"
    for surface, text in _student_surfaces_of(result, "affine_backward").items():
        flat = " ".join(text.split())
        assert expected in flat, f"{surface}:\n{text}"
        assert "matmul: Input operand 1 has a mismatch in its core dimension 0" in flat, surface
        assert "wrong on the hidden cases" not in flat


def _student_surfaces_of(result: Grade, name: str) -> dict[str, str]:
    nbgrader = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    function = BY_NAME[name]
    results = [r for r in result.results if r.verdict.function is function]
    return {"report.txt": text_report(result, Audience.STUDENT),
            "results.json": " ".join(test["output"] for test in gradescope_results(result)["tests"]),
            "nbgrader cell": nbgrader.cell_feedback(function, results, result, 0.0, 2.0)}


@pytest.mark.e2e  # grades a submission
def test_every_finding_of_a_case_is_shown(tmp_path: Path) -> None:
    """A wrong loss no longer hides a NaN dx in the same case."""
    source = tmp_path / "unstable.py"
    source.write_text('TARGET = "layers"\nimport numpy as np\n\n\ndef softmax_loss(x, y):\n'
                      '    n = x.shape[0]\n    probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)\n'
                      '    loss = float(-np.log(probs[np.arange(n), y]).mean())\n    dx = probs.copy()\n'
                      '    dx[np.arange(n), y] -= 1.0\n    return loss, dx / n\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["softmax_loss"])
    check = next(c for c in build_feedback(result, Audience.STUDENT).of("softmax_loss").checks if not c.passed)
    case = check.cases[0]
    assert any(line.startswith("your loss is NaN or inf") for line in case.findings), case.findings
    assert any(line.startswith("dx is wrong") and "NaN or inf" in line for line in case.findings), case.findings
    text = text_report(result, Audience.STUDENT)
    assert "(given code)" not in text and "1 of 1 elements" not in text


@pytest.mark.e2e  # grades a submission
def test_a_crash_set_up_by_the_students_forward_names_the_forward(tmp_path: Path) -> None:
    """``.squeeze()`` in rnn_forward breaks rnn_backward at N = 1; the forward is named as the cause."""
    source = tmp_path / "squeeze.py"
    source.write_text('TARGET = "rnn_layers"\nimport numpy as np\n\n\ndef rnn_forward(x, h0, Wx, Wh, b):\n'
                      '    n, steps, _ = x.shape\n    h = np.zeros((n, steps, h0.shape[1]))\n'
                      '    cache, prev_h = [], h0\n    for t in range(steps):\n'
                      '        prev_h, step = rnn_step_forward(x[:, t, :].squeeze(), prev_h, Wx, Wh, b)\n'
                      '        h[:, t] = prev_h\n        cache.append(step)\n    return h, cache\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["rnn_backward"])
    for audience in Audience:
        notes = " ".join(build_feedback(result, audience).of("rnn_backward").notes)
        assert "probable cause: your rnn_forward returns a cache" in notes, (audience, notes)
    assert "cache[0][0]: array (" in text_report(result)  # the TA sees which part differs


@pytest.mark.e2e  # grades a submission
def test_the_in_place_hint_fits_what_was_changed(tmp_path: Path) -> None:
    source = tmp_path / "pop.py"
    source.write_text('TARGET = "rnn_layers"\nimport numpy as np\n\n\ndef rnn_backward(dh, cache):\n'
                      '    n, steps, hidden = dh.shape\n    x0, _, Wx, Wh, _ = cache[0]\n'
                      '    dx = np.zeros((n, steps, x0.shape[1]))\n'
                      '    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(hidden)\n'
                      '    dprev = np.zeros((n, hidden))\n    for t in reversed(range(steps)):\n'
                      '        dx_t, dprev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev, cache.pop())\n'
                      '        dx[:, t] = dx_t\n        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n'
                      '    return dx, dprev, dWx, dWh, db\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["rnn_backward"])
    text = " ".join(text_report(result, Audience.STUDENT).split())
    assert "modified cache in place" in text and "`cache.pop()`" in text
    assert "dout *= mask" not in text


def test_masking_keeps_a_librarys_words_and_drops_numbers_and_quoted_words() -> None:
    assert masked("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                  "(n?,k),(k,m?)->(n?,m?) (size 6 is different from 4)") == (
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
        "(n?,k),(k,m?)->(n?,m?) (size # is different from #)")
    assert masked("could not convert string to float: 'abc'") == "could not convert string to float: '…'"
    assert masked('can only concatenate str (not "int") to str') == "can only concatenate str (not '…') to str"
    assert masked("axis 12 is out of bounds, value -3.5e-2") == "axis # is out of bounds, value #"


def _finding(got: np.ndarray, expected: np.ndarray, tensor: str = "dx") -> Finding:
    mismatch = worst_mismatch(got, expected, REFERENCE_RTOL, 0.0)
    assert mismatch is not None
    return Finding("random", mismatch.describe(tensor), tensor=tensor, mismatch=mismatch)


def test_a_students_picture_cannot_tell_an_element_right_within_the_tolerance() -> None:
    """Were the picture exact, code could move one element at a time and read, submission after
    submission, when it lands within the tolerance of the hidden expected value."""
    expected = np.linspace(1.0, 2.0, 12).reshape(3, 4)
    got = expected.copy()
    got[0, 0] += 1e-5 * 2.0  # off, by far less than PALE of the largest value
    got[2, 3] = -got[2, 3]  # sign flipped
    finding = _finding(got, expected)
    ta, student = (feedback_picture(finding, audience) for audience in (Audience.TA, Audience.STUDENT))
    assert ta is not None and student is not None
    assert ta.pattern[0, 0] == OFF and student.pattern[0, 0] == RIGHT
    assert ta.pattern[2, 3] == student.pattern[2, 3] == FLIPPED and student.worst == (2, 3)


def test_a_students_shape_shows_only_sizes_the_case_has() -> None:
    line = "dx has shape {}; expected (3, 4) like x"
    for got, shown in [("(123456,)", "(#,)"), ("(12,)", "(12,)"), ("(4, 3)", "(4, 3)"), ("(3, 1, 97)", "(3, 1, #)")]:
        text = line.format(got)
        finding = Finding("random", text, tensor="dx", shape=text)
        assert finding_line(finding, RELU, Oracle.REFERENCE, Audience.STUDENT) == line.format(shown)
        assert finding_line(finding, RELU, Oracle.REFERENCE, Audience.TA) == text


def test_names_the_students_process_sent_are_shown_only_from_the_kits_vocabulary() -> None:
    forged = Finding("random", "modified dout, Score 100 of 100 in place: compute new arrays instead")
    assert finding_line(forged, RELU, Oracle.UNTOUCHED, Audience.STUDENT) == (
        "modified dout, an input in place: compute new arrays instead")
