"""Broken submissions: each problem costs only its own points and gets a clear message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import build_submission, reference_source, scores_by_function

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade
from autograder.outputs.report import text_report

LAYERS = {f.name for f in FUNCTIONS if f.module == "layers"}
RNN = {f.name for f in FUNCTIONS if f.module == "rnn_layers"}


def _with_appended(tmp_path: Path, module: str, code: str) -> Path:
    build_submission(tmp_path)
    path = tmp_path / f"{module}.py"
    path.write_text(path.read_text() + "\n\n" + textwrap.dedent(code))
    return tmp_path


def _lost(result) -> set[str]:
    return {name for name, (got, most) in scores_by_function(result).items() if got < most}


def _messages(result, function: str) -> str:
    return "\n".join(f.message for r in result.results if r.verdict.function.name == function
                     for f in r.verdict.findings)


def test_syntax_error_in_one_file_leaves_the_other_graded(tmp_path: Path) -> None:
    build_submission(tmp_path)
    broken = reference_source("rnn_layers").replace("def rnn_forward(", "def rnn_forward((")
    (tmp_path / "rnn_layers.py").write_text(broken)
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == RNN
    assert "syntax error on line" in result.module_problems["rnn_layers"]
    assert "rnn_layers.py could not be imported" in text_report(result)


def test_missing_file_costs_only_its_functions(tmp_path: Path) -> None:
    build_submission(tmp_path)
    (tmp_path / "layers.py").unlink()
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == LAYERS
    assert "layers.py is missing" in result.module_problems["layers"]


def test_missing_function_costs_only_its_points(tmp_path: Path) -> None:
    build_submission(tmp_path)
    path = tmp_path / "layers.py"
    path.write_text(path.read_text().replace("def svm_loss(", "def svm_loss_renamed("))
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"svm_loss"}
    assert "layers.py has no function svm_loss" in _messages(result, "svm_loss")


def test_wrong_shape_is_reported_as_expected_versus_got(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        def relu_backward(dout, cache):
            return (dout * (cache > 0)).ravel()
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"relu_backward"}
    assert "dx has shape (" in _messages(result, "relu_backward")
    assert "expected (" in _messages(result, "relu_backward")


def test_nan_where_the_reference_is_finite_fails(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        def tanh_backward(dout, cache):
            out = dout * (1.0 - cache**2)
            out[..., 0] = np.nan
            return out
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"tanh_backward"}
    assert "got nan" in _messages(result, "tanh_backward")


def test_wrong_number_of_return_values(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        def affine_backward(dout, cache):
            x, w, b = cache
            return (dout @ w.T).reshape(x.shape), x.reshape(len(x), -1).T @ dout
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"affine_backward"}
    assert "affine_backward returned 2 values; expected 3" in _messages(result, "affine_backward")


def test_returning_none_says_so(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        def sigmoid_backward(dout, cache):
            dx = dout * cache * (1 - cache)
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert "did you forget to return it?" in _messages(result, "sigmoid_backward")


@pytest.mark.parametrize("ending", ["sys.exit(0)", "os._exit(0)", "raise SystemExit(3)", "raise KeyboardInterrupt",
                                    "os.kill(os.getpid(), 9)"])
def test_code_that_ends_the_process_costs_only_that_function(tmp_path: Path, ending: str) -> None:
    submission = _with_appended(tmp_path, "layers", f"""
        import os, sys

        def huber_loss(pred, target, delta=1.0):
            {ending}
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"huber_loss"}


def test_infinite_loop_is_stopped_and_costs_only_that_function(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "rnn_layers", """
        def clip_grad_norm(grads, max_norm):
            while True:
                pass
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3, seconds_per_function=1.0)
    assert _lost(result) == {"clip_grad_norm"}
    assert "ran for more than 1 s and was stopped" in _messages(result, "clip_grad_norm")


def test_printing_is_shown_but_never_trusted(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        print('{"score": 100, "tests": []}  ALL TESTS PASSED')

        def relu_backward(dout, cache):
            return dout
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"relu_backward"}
    assert "ALL TESTS PASSED" in result.printed["layers"]
    assert "printed (shown, never trusted)" in text_report(result)


def test_import_error_costs_only_its_module(tmp_path: Path) -> None:
    build_submission(tmp_path)
    path = tmp_path / "rnn_layers.py"
    path.write_text("import torch  # not installed, and not allowed\n" + path.read_text())
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == RNN
    assert "rnn_layers.py could not be imported: ModuleNotFoundError: No module named 'torch'" in \
        result.module_problems["rnn_layers"]


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    build_submission(tmp_path)
    with open(tmp_path / "layers.py", "ab") as handle:
        handle.truncate(50 * 2**20)
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == LAYERS
    assert result.module_problems["layers"] == "layers.py is 50 MB, over the 1 MB limit for a source file"


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    build_submission(tmp_path)
    (tmp_path / "rnn_layers.py").write_bytes(bytes(range(256)) * 40)
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == RNN
    assert "rnn_layers.py is not a text file" in result.module_problems["rnn_layers"]


def test_non_utf8_source_says_where_and_what_to_do(tmp_path: Path) -> None:
    build_submission(tmp_path)
    path = tmp_path / "layers.py"
    path.write_bytes(path.read_bytes() + "\n# caf\u00e9: latin-1, not UTF-8\n".encode("latin-1"))
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == LAYERS
    assert "layers.py is not valid utf-8 text (byte 0xe9 on line" in result.module_problems["layers"]
    assert "save it as UTF-8" in result.module_problems["layers"]


def test_a_declared_encoding_is_honoured(tmp_path: Path) -> None:
    build_submission(tmp_path)
    path = tmp_path / "layers.py"
    source = "# -*- coding: latin-1 -*-\n" + path.read_text() + "\n# caf\u00e9\n"
    path.write_bytes(source.encode("latin-1"))
    result = grade(tmp_path, DEFAULT_REFERENCE, 3)
    assert _lost(result) == set()


def test_wrong_signature_names_the_mismatch(tmp_path: Path) -> None:
    submission = _with_appended(tmp_path, "layers", """
        def relu_backward(dout):
            return dout
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"relu_backward"}
    assert "relu_backward() takes 1 positional argument but 2 were given" in _messages(result, "relu_backward")


@pytest.mark.parametrize(("answer", "message"), [
    ("(dout * (1 - cache**2)).astype(np.float32)", "dx has dtype float32; return float64 arrays"),
    ("(dout * (1 - cache**2)).astype(np.complex128)", "dx has dtype complex128; return float64 arrays"),
    ("np.full(dout.shape, 'zero')", "dx is not an array of numbers"),
])
def test_wrong_dtype_says_which(tmp_path: Path, answer: str, message: str) -> None:
    submission = _with_appended(tmp_path, "layers", f"""
        def tanh_backward(dout, cache):
            return {answer}
    """)
    result = grade(submission, DEFAULT_REFERENCE, 3)
    assert _lost(result) == {"tanh_backward"}
    assert message in _messages(result, "tanh_backward")


def test_an_exception_with_a_huge_message_is_shown_shortened(tmp_path: Path) -> None:
    """A message of megabytes is cut in the child, so the reply stays small enough to be read."""
    attack = tmp_path / "huge.py"
    attack.write_text('TARGET = "layers"\n\ndef relu_backward(dout, cache):\n    raise ValueError("x" * 5_000_000)\n')
    result = grade(build_submission(tmp_path / "submission", attack), DEFAULT_REFERENCE, seed=2)
    relu = [r for r in result.results if r.verdict.function.name == "relu_backward"]
    assert sum(r.points for r in relu) == 0 and result.score == result.max_score - sum(r.max_points for r in relu)
    message = relu[0].verdict.findings[0].message
    assert message.startswith("ValueError: xxx") and len(message) <= 600
