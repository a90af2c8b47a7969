"""Helpers for the notebooks: short messages instead of tracebacks, answer tests, a local layer check.

You do not need to change this file. The notebooks import it in their first cell.

- ``polite()`` makes a cell that hits a function you have not written yet end with one line that
  says what to write, instead of a long traceback.
- ``answer(name)`` wraps the tests of one answer; ``expect_close`` compares one value.
- ``check_layer(name)`` runs the public tests of one graded function of ``layers.py`` or
  ``rnn_layers.py`` (the same tests as ``pytest -k ...``). At grading time that cell is scored by the
  course's grader instead, on hidden cases, from your submitted ``.py`` files alone: what the
  notebook prints there is replaced.
"""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:  # the release's language.py: BACKPROP_LANG, else the release's language, else the locale's
    import language

    _ = language.for_release("assignment", HERE).gettext
except ImportError:  # the course's source folder, which has no language.py: English

    def _(message: str) -> str:
        return message

# Which public tests check which function (``pytest -k`` expressions) and in which file they live.
PUBLIC_TESTS = {
    "affine_backward": ("test_layers.py", "affine"),
    "relu_backward": ("test_layers.py", "relu"),
    "sigmoid_backward": ("test_layers.py", "sigmoid"),
    "tanh_backward": ("test_layers.py", "tanh"),
    "softmax_loss": ("test_layers.py", "softmax"),
    "svm_loss": ("test_layers.py", "svm"),
    "huber_loss": ("test_layers.py", "huber"),
    "clipped_square_loss": ("test_layers.py", "clipped_square"),
    "rnn_step_backward": ("test_rnn_layers.py", "rnn_step_backward and not test_rnn_backward"),
    "rnn_backward": ("test_rnn_layers.py", "test_rnn_backward"),
    "clip_grad_norm": ("test_rnn_layers.py", "clip_grad_norm"),
}
SHOWN_LINES = 12


class PoliteError(Exception):
    """A failure shown as its message alone: IPython calls ``_render_traceback_`` instead of printing
    a traceback, and the cell still counts as failed."""

    mark = "✗"

    def _render_traceback_(self) -> list[str]:
        return [f"{self.mark} {line}" if i == 0 else f"  {line}" for i, line in enumerate(str(self).splitlines())]


class NotWrittenYet(PoliteError):  # noqa: N818 - the name students read above the message
    """A function this cell needs still raises NotImplementedError."""

    mark = "…"


class WrongAnswer(PoliteError):  # noqa: N818
    """An answer test found a wrong value."""


class LayerCheckFailed(PoliteError):  # noqa: N818
    """The public tests of a layer function fail."""


def _todo_message(error: BaseException) -> str:
    """Where the NotImplementedError came from, and what to do about it."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    source = frames[-1] if frames else None
    if source is not None and Path(source.co_filename).name in ("layers.py", "rnn_layers.py"):
        name = str(error) or _("{name} is not implemented yet").format(name=source.co_name)
        return _("{todo}: write it in {file}, then restart the kernel and run the notebook again").format(
            todo=name, file=Path(source.co_filename).name)
    if source is not None and source.co_name != "<module>":
        return _("the answer {name} is not written yet: replace `raise NotImplementedError()` in its cell "
                 "with your code and run that cell").format(name=source.co_name)
    return _("the answer is not written yet: replace `raise NotImplementedError()` in its cell "
             "with your code and run that cell")


def _missing_name_message(error: NameError) -> str:
    return _("{error}: a cell above that defines it has not run, or failed. Run the notebook from the "
             "top (Kernel > Restart & Run All) and fix the first cell that fails").format(error=error)


def polite() -> None:
    """Show a to-do or a missing name as one line instead of a traceback (in IPython only)."""
    try:
        shell = get_ipython()  # type: ignore[name-defined]
    except NameError:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        message = _missing_name_message(value) if isinstance(value, NameError) else _todo_message(value)
        shown = [f"… {message}"]
        shell._showtraceback(etype, value, shown)  # IPython leaves showing a custom handler's text to it
        return shown

    shell.set_custom_exc((NotImplementedError, NameError), handler)


@contextlib.contextmanager
def answer(name: str):
    """Run the tests of one answer; a to-do or a wrong value ends the cell with one line."""
    try:
        yield
    except NotImplementedError as error:
        raise NotWrittenYet(_todo_message(error)) from None
    except NameError as error:
        raise NotWrittenYet(f"{name}: {_missing_name_message(error)}") from None
    print("✓ " + _("{name} passes these tests").format(name=name))


def expect_close(label: str, got, expected, tol: float = 1e-9) -> None:
    """Check that ``got`` equals ``expected`` within ``tol`` (absolute and relative); say which is off."""
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise WrongAnswer(_("{label}: expected a number or an array, got {type}").format(
            label=label, type=type(got).__name__)) from None
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        raise WrongAnswer(_("{label}: expected shape {expected}, got shape {got}").format(
            label=label, expected=expected_array.shape, got=got_array.shape))
    with np.errstate(all="ignore"):
        off = ~(np.abs(got_array - expected_array) <= tol * (1.0 + np.abs(expected_array)))
    if off.any():
        if got_array.ndim == 0:
            raise WrongAnswer(_("{label}: expected {expected:.6g}, got {got:.6g}").format(
                label=label, expected=float(expected_array), got=float(got_array)))
        index = tuple(int(i) for i in np.argwhere(off)[0])
        raise WrongAnswer(_("{label}: element {index} should be {expected:.6g}, got {got:.6g}").format(
            label=label, index=list(index), expected=expected_array[index], got=got_array[index]))


def expect_none(label: str, got) -> None:
    """Check that ``got`` is None (an answer that says "no such value")."""
    if got is not None:
        raise WrongAnswer(_("{label}: expected None, got {got!r:.60}").format(label=label, got=got))


def check_layer(function: str) -> None:
    """Run the public tests of ``function`` and show their verdict; fail the cell if any fails."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        print(_("{function}: graded from your submitted .py file by the course's grader.").format(function=function))
        return
    test_file, keyword = PUBLIC_TESTS[function]
    if not (HERE / test_file).is_file():
        print(_("{function}: the public tests are not in this folder; run pytest in the assignment folder.").format(
            function=function))
        return
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--color=no", "-p", "no:cacheprovider", "-k", keyword, test_file],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=300,
    )
    # Keep pytest's messages; drop its progress dots and its rules of = - _ characters.
    lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith(("=", "-", "_"))
             and set(line.split("[")[0].strip()) - set(".sFEx")]
    summary = lines[-1].strip("= ") if lines else _("(no output)")
    if done.returncode == 0:
        print("✓ " + _("{function}: the public tests pass ({summary}).").format(function=function, summary=summary))
        print("  " + _("The grader runs more cases of the same kinds when you submit."))
        return
    problems = list(dict.fromkeys(lines[:-1]))[:SHOWN_LINES]
    raise LayerCheckFailed("\n".join([
        _("{function}: the public tests fail ({summary})").format(function=function, summary=summary), *problems,
        _("Details: run `pytest -k \"{keyword}\"` in this folder.").format(keyword=keyword)]))
