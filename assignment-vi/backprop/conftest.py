"""Shared helpers and reporting for the public tests. You do not need to change this file.

The tests check each function you write in three ways:

- against the reference solution's outputs on fixed inputs stored in ``public_cases.json``;
- against finite differences of your own forward pass (``gradcheck.py``), with a random upstream
  gradient;
- against properties every correct answer has, on many small inputs that hypothesis picks.

Every failure is reported as one short message: which gradient, which element, what was expected,
what came back, and, when the numbers match a well-known mistake, what that mistake probably is.
So are four problems that would otherwise stop or flood the run: a function not written yet (listed
once, at the end), a file that cannot be imported (a syntax error, say: its tests fail with one line
and the other file's tests still run), a test that runs longer than the time limit (an endless
loop: it fails with one line and the next test starts) and an exception your code raises (one line
with your file and line, and the mistake it looks like when it is a well-known one; the later tests
that stop on the same line are skipped).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import json
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import gradcheck
import language
import numpy as np
import pytest
from hypothesis import Phase, settings

HERE = Path(__file__).resolve().parent
# The messages' language: BACKPROP_LANG (en or vi) if set, else the release's, else the locale's.
try:
    _ = language.for_release("assignment", HERE).gettext
    LANGUAGE_PROBLEM = ""
except language.UnknownLanguageError as error:  # a typo in BACKPROP_LANG: said in one line at the start
    _, LANGUAGE_PROBLEM = str, str(error)
CASES_FILE = HERE / "public_cases.json"
STUDENT_FILES = ("layers.py", "rnn_layers.py")
# Seconds a test may run: the whole suite takes about a second, so only a loop that never ends gets
# near it. Change it for one run with ``pytest -o time_limit=30`` (0 turns it off).
TIME_LIMIT = 10

# The tolerances are the grader's own, from gradcheck. Against the reference: relative
# REFERENCE_RTOL, plus an absolute floor that scales with the answer and the upstream gradient, so
# values that should be ~0 (saturation) only need to be ~0. Against finite differences: centred
# differences are accurate to ~1e-10 relative in float64, and the rounding noise bound comes from
# gradcheck too.
KINK_GAP = 1e-3  # elements this close to a kink are not checked by finite differences

# Small and repeatable: the same examples on every run, no database folder, no time limit. No
# shrinking either: the inputs are small already, and shrinking a failure costs about a second a test.
# No "@reproduce_failure" line, which hypothesis prints where CI is set (its "ci" profile): the same
# examples come back on every run anyway, and the line is in English whatever the reader's language.
quick = settings(
    derandomize=True,
    max_examples=15,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    print_blob=False,
)


# ---------------------------------------------------------------------------------------------
# Public cases


@dataclass(frozen=True)
class Case:
    """One fixed public case: named inputs and the reference solution's outputs."""

    name: str
    inputs: dict[str, Any]
    expected: dict[str, Any]


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) >= {"shape", "data"}:
        dtype = np.int64 if value.get("dtype") == "int64" else np.float64
        return np.array(value["data"], dtype=dtype).reshape(value["shape"])
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    return value


@functools.cache
def _all_cases() -> dict[str, list[dict[str, Any]]]:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def cases(function: str) -> list[Any]:
    """The public cases of ``function`` as pytest parameters (a fresh copy for every test)."""
    return [
        pytest.param(Case(c["name"], _decode(c["inputs"]), _decode(c["expected"])), id=c["name"])
        for c in _all_cases()[function]
    ]


# ---------------------------------------------------------------------------------------------
# Comparing arrays


def fail_if(problems: list[str]) -> None:
    """Fail the test with every problem found, one per line, without a traceback."""
    problems = [p for p in problems if p]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def unpack(function: str, result: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Name the values a function returned; fail kindly if it returned the wrong number of them."""
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, tuple) or len(result) != len(names):
        got = (_("a tuple of {count} values").format(count=len(result)) if isinstance(result, tuple)
               else type(result).__name__)
        fail_if([_("{function} should return a tuple ({names}), but it returned {got}").format(
            function=function, names=", ".join(names), got=got)])
    return dict(zip(names, result, strict=True))


def shape_problem(function: str, name: str, actual: Any, shape: tuple[int, ...]) -> str | None:
    """A message if ``actual`` is not a float64 array of the given shape, else None."""
    if actual is None:
        return _("{function}: {name} is None (is it assigned and returned?)").format(function=function, name=name)
    if not isinstance(actual, np.ndarray):
        return _("{function}: {name} should be a numpy array of shape {shape}, got {type}").format(
            function=function, name=name, shape=shape, type=type(actual).__name__)
    if actual.shape != shape:
        looks = _(" (transposed?)") if actual.shape == shape[::-1] else ""
        return _("{function}: {name} has shape {actual}, expected {shape}{looks}").format(
            function=function, name=name, actual=actual.shape, shape=shape, looks=looks)
    if actual.dtype != np.float64:
        return _("{function}: {name} has dtype {dtype}, expected float64").format(
            function=function, name=name, dtype=actual.dtype)
    return None


NONFINITE = _("it has NaN or inf where the reference is finite")


def describe(found: gradcheck.Mismatch, name: str) -> str:
    """gradcheck's description of a mismatch (``Mismatch.describe``), in the reader's language."""
    where = f"{name}[{', '.join(str(i) for i in found.index)}]" if found.index else name
    count = ""
    if found.checked > 1:
        count = _(" ({bad} of {checked} elements off)").format(bad=found.bad, checked=found.checked)
    return _("{where}: expected {expected:.6g}, got {actual:.6g}{count}").format(
        where=where, expected=found.expected + 0.0, actual=found.actual + 0.0, count=count)


def _close(actual: np.ndarray, target: np.ndarray, atol: float) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(actual - target) <= atol + gradcheck.REFERENCE_RTOL * np.abs(target)))


def _diagnose(
    actual: np.ndarray, expected: np.ndarray, atol: float, mean_over: int | None, mistakes: dict[str, Any]
) -> str | None:
    """Name the likely mistake when ``actual`` relates to ``expected`` in a recognisable way."""
    checked = ~np.isnan(expected)
    if not np.all(np.isfinite(actual[checked])):
        return NONFINITE
    for description, wrong in mistakes.items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == actual.shape and _close(actual, wrong, atol):
            return _("it looks like you {mistake}").format(mistake=description)
    nonzero = checked & (np.abs(expected) > atol)
    if not nonzero.any():
        return None
    if not actual.any():
        return _("it is all zeros")
    if nonzero.sum() < 2:  # one element is proportional to anything
        return None
    ratios = actual[nonzero] / expected[nonzero]
    ratio = float(np.median(ratios))
    if ratio != 0 and np.allclose(ratios, ratio, rtol=1e-6):
        if ratio < 0 and np.isclose(ratio, -1.0):
            return _("it has the wrong sign everywhere")
        if mean_over and np.isclose(ratio, mean_over):
            return _("it is {n} times too large: the loss is a mean, so divide by {n}").format(n=mean_over)
        if mean_over and np.isclose(ratio, 1.0 / mean_over):
            return _("it is {n} times too small: did you divide by {n} twice?").format(n=mean_over)
        return _("it is {ratio:.6g} times the expected value everywhere").format(ratio=ratio)
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and _close(actual, expected.T, atol):
        return _("it looks transposed")
    return None


def not_a_float(name: str, actual: np.ndarray, expected: float | None = None) -> str:
    """What to say about a loss (or a norm) that came back as an array instead of one float."""
    if actual.ndim == 0:
        return _("{name} should be a float, but it is a numpy array of shape (); return float({name})").format(
            name=name)
    message = _("{name} should be one float, but it is an array of shape {shape}").format(name=name, shape=actual.shape)
    with np.errstate(all="ignore"):
        values = np.asarray(actual, dtype=np.float64)
        if expected is not None and np.isclose(values.mean(), expected, rtol=1e-6):
            return _("{message}: its mean is the expected {name}, so it looks like you forgot the mean (.mean())"
                     ).format(message=message, name=name)
        if expected is not None and np.isclose(values.sum() / values.shape[0], expected, rtol=1e-6):
            return _("{message}: its sum divided by {n} is the expected {name}, so it looks like "
                     "you forgot to sum it and divide by N").format(message=message, n=values.shape[0], name=name)
    return _("{message}: the loss is one number, a mean; did you forget .mean() or .sum()?").format(message=message)


def mismatch(
    where: str,
    name: str,
    actual: Any,
    expected: np.ndarray | float,
    upstream_scale: float,
    *,
    mean_over: int | None = None,
    mistakes: dict[str, Any] | None = None,
    nonfinite_hint: str = "",
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> str | None:
    """Compare one output with the reference; return a short message, or None when it matches.

    ``upstream_scale`` is max|dout| for a layer and 1/N for a loss that is a mean over N values.
    ``mistakes`` maps a description ("forgot to ...") to the wrong answer that mistake produces.
    ``lower`` and ``upper`` bound the values also accepted elementwise (subgradients at a kink).
    """
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim == 0:
        if isinstance(actual, np.ndarray):
            return f"{where}: {not_a_float(name, actual, float(expected))}"
        if not isinstance(actual, float | np.floating | int):
            return _("{where}: {name} should be a float, got {type}").format(
                where=where, name=name, type=type(actual).__name__)
        actual = np.float64(actual)
    else:
        problem = shape_problem(where, name, actual, expected.shape)
        if problem:
            return problem
    # NaN marks "not checked" and must not reach the tolerance.
    largest = float(np.max(np.abs(expected), initial=0.0, where=~np.isnan(expected)))
    atol = gradcheck.REFERENCE_ATOL_OF_MAX * largest + gradcheck.REFERENCE_ATOL_OF_UPSTREAM * upstream_scale
    found = gradcheck.worst_mismatch(actual, expected, gradcheck.REFERENCE_RTOL, atol, lower, upper)
    if found is None:
        return None
    message = f"{where}: {describe(found, name)}"
    diagnosis = _diagnose(np.atleast_1d(actual), np.atleast_1d(expected), atol, mean_over, mistakes or {})
    if diagnosis:
        message += f"; {diagnosis}"
        if nonfinite_hint and diagnosis == NONFINITE:
            message += f" ({nonfinite_hint})"
    return message


# ---------------------------------------------------------------------------------------------
# Finite differences


def away_from(values: np.ndarray, kinks: np.ndarray | float) -> np.ndarray:
    """Flat indices of ``values`` farther than KINK_GAP from ``kinks``: safe for finite differences."""
    return np.flatnonzero(np.abs(np.asarray(values) - kinks) > KINK_GAP)


def layer_scalar(forward: Callable[[], Any], dout: np.ndarray) -> Callable[[], tuple[float, float]]:
    """The scalar sum(dout * out) of a forward pass, as gradcheck.numerical_gradient needs it."""
    return lambda: gradcheck.projected(forward()[0], dout)


def loss_scalar(loss: Callable[[], Any], function: str = _("the loss function")) -> Callable[[], tuple[float, float]]:
    """The loss value itself, as gradcheck.numerical_gradient needs it (one float: anything else fails)."""

    def scalar() -> tuple[float, float]:
        value = loss()[0]
        if isinstance(value, np.ndarray):
            fail_if([f"{function}: {not_a_float('loss', value)}"])
        return gradcheck.projected(np.float64(value), 1.0)

    return scalar


def finite_difference_problem(
    function: str,
    name: str,
    analytic: np.ndarray,
    scalar: Callable[[], tuple[float, float]],
    x: np.ndarray,
    indices: Any = None,
) -> str | None:
    """Compare a gradient with centred differences of ``scalar`` with respect to ``x``."""
    numeric, noise = gradcheck.numerical_gradient(scalar, x, indices)
    atol = noise + gradcheck.FD_ATOL_OF_MAX * float(np.nanmax(np.abs(numeric)))
    found = gradcheck.worst_mismatch(analytic, numeric, gradcheck.FD_RTOL, atol)
    if found is None:
        return None
    return _("{function}: {name} disagrees with finite differences of the forward pass: {mismatch}").format(
        function=function, name=name, mismatch=describe(found, name))


def check_gradients(
    function: str,
    grads: dict[str, Any],
    inputs: dict[str, np.ndarray],
    scalar: Callable[[], tuple[float, float]],
    indices: dict[str, Any] | None = None,
) -> None:
    """Check every gradient's shape, then its values against finite differences of ``scalar``."""
    fail_if([shape_problem(function, f"d{key}", grads[f"d{key}"], x.shape) for key, x in inputs.items()])
    indices = indices or {}
    fail_if(
        [
            finite_difference_problem(function, f"d{key}", grads[f"d{key}"], scalar, x, indices.get(key))
            for key, x in inputs.items()
        ]
    )


# ---------------------------------------------------------------------------------------------
# Inputs left alone


UPSTREAM = ("dout", "dnext_h", "dh")  # the names of the upstream gradient a backward receives


def _differences(before: Any, after: Any, path: str) -> Iterator[str]:
    if isinstance(before, np.ndarray):
        if not (isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=True)):
            yield path
    elif isinstance(before, tuple | list):
        if not isinstance(after, tuple | list) or len(after) != len(before):
            yield path
            return
        for i, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _differences(old, new, f"{path}[{i}]")
    elif isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            yield path
            return
        for key in before:
            yield from _differences(before[key], after.get(key), f"{path}[{key!r}]")


def _emptied(function: str, name: str, before: Any, after: Any) -> str | None:
    """What to say about a list argument that came back with fewer items than it went in with."""
    if not (isinstance(before, list) and isinstance(after, list) and len(after) < len(before)):
        return None
    return _(
        "{function} took items out of {name}: it had {before}, it has {after} left. It looks like "
        "{name}.pop(): that empties the list the forward pass returned; read {name}[t] instead and leave the "
        "list as it is"
    ).format(function=function, name=name, before=len(before), after=len(after))


def modified(function: str, originals: dict[str, Any], current: dict[str, Any]) -> str | None:
    """A message naming every input that changed during a call (compare to copies made before it)."""
    for name in originals:
        emptied = _emptied(function, name, originals[name], current[name])
        if emptied:
            return emptied
    changed = [path for name in originals for path in _differences(originals[name], current[name], name)]
    if not changed:
        return None
    upstream = next((name for name in UPSTREAM if name in changed), None)
    if upstream:
        return _(
            "{function} modified {changed} in place. dx = {upstream} does not copy: both names are "
            "then the same array, so dx[...] = 0 or dx *= ... changes {upstream} too; start from "
            "{upstream}.copy(), or compute a new array ({upstream} * mask)"
        ).format(function=function, changed=", ".join(changed), upstream=upstream)
    return _(
        "{function} modified {changed} in place; compute new arrays instead "
        "(for example dx = dout * mask, not dout *= mask)"
    ).format(function=function, changed=", ".join(changed))


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """Deep copies of the values, to compare with after a call."""
    return copy.deepcopy(values)


# ---------------------------------------------------------------------------------------------
# Your modules, imported by the tests that use them


class Stopped(BaseException):
    """A test stopped for a reason that its message says in full (no traceback).

    A BaseException, like KeyboardInterrupt: hypothesis does not retry it, and an ``except Exception``
    in the code under test does not swallow it.
    """


class NotImported(Stopped):
    """A student module could not be imported."""


class TooSlow(Stopped):
    """A test ran longer than the time limit; ``module.function`` is where it was stopped, if known."""

    def __init__(self, message: str, module: str | None = None, function: str | None = None) -> None:
        super().__init__(message)
        self.module, self.function = module, function


_AT_LINE = _("{file}, line {lineno}")
_import_problems: dict[str, str] = {}  # module name -> the message its failed import gave


def _import_problem(name: str, error: Exception) -> str:
    """One line for a failed import: the file and line at fault and what is wrong there."""
    if isinstance(error, SyntaxError):  # IndentationError and TabError too
        where = _AT_LINE.format(file=Path(error.filename or f"{name}.py").name, lineno=error.lineno)
        what = f"{type(error).__name__}: {error.msg}"
    else:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _is_student_file(frame.filename)]
        where = f"{name}.py"
        if frames:
            where = _AT_LINE.format(file=Path(frames[-1].filename).name, lineno=frames[-1].lineno)
        what = f"{type(error).__name__}: {error}"
    return _("{name}.py could not be imported ({what}, at {where}); fix it and run pytest again").format(
        name=name, what=what, where=where)


def _load(name: str) -> ModuleType:
    """Import the student module ``name`` once; a failed import raises NotImported with one line."""
    if name in _import_problems:
        raise NotImported(_import_problems[name])
    try:
        return importlib.import_module(name)
    except TooSlow as error:  # a loop at the top level of the file: do not wait for it again
        _import_problems[name] = str(error)
        raise
    except Exception as error:
        _import_problems[name] = _import_problem(name, error)
        raise NotImported(_import_problems[name]) from None


class StudentModule:
    """One of your modules, imported when a test first uses it.

    The import runs inside that test, so a syntax error fails the tests of that file with one short
    message, and the tests of the other file still run.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):  # pytest looking for markers while it collects: import nothing yet
            raise AttributeError(attribute)
        return getattr(_load(self._name), attribute)


def student_module(name: str) -> Any:
    """The student module ``name`` (``layers`` or ``rnn_layers``), imported on first use."""
    return StudentModule(name)


# ---------------------------------------------------------------------------------------------
# The time limit


# SIGALRM interrupts the code under test wherever it loops in Python code; Windows has no SIGALRM.
CAN_LIMIT = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("time_limit", f"seconds a test may run (default {TIME_LIMIT}; 0: no limit)", default=str(TIME_LIMIT))


def _time_limit_of(config: pytest.Config) -> float:
    value = config.getini("time_limit")
    try:
        return float(value)
    except ValueError:
        message = _("time_limit should be a number of seconds, got {value!r}").format(value=value)
        raise pytest.UsageError(message) from None


def pytest_configure(config: pytest.Config) -> None:
    if LANGUAGE_PROBLEM:
        raise pytest.UsageError(LANGUAGE_PROBLEM)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say so at the start when the time limit cannot work here."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not CAN_LIMIT and _time_limit_of(session.config) > 0 and reporter is not None:
        reporter.write_line(_(
            "Note: no time limit per test on this system ({platform} has no SIGALRM). If a test "
            "never ends, a loop in your code probably never stops: press Ctrl+C to end pytest."
        ).format(platform=sys.platform))


def _is_student_file(filename: str) -> bool:
    path = Path(filename)
    return path.name in STUDENT_FILES and path.resolve().parent == HERE


def _too_slow(frame: FrameType | None, seconds: float) -> TooSlow:
    """The error for a test stopped in ``frame``, naming your function and line that were running."""
    limit = (_("1 second") if seconds == 1 else _("{seconds:g} seconds").format(seconds=seconds))
    innermost: FrameType | None = None
    while frame is not None:
        if _is_student_file(frame.f_code.co_filename):
            innermost = innermost or frame
            module = Path(frame.f_code.co_filename).stem
            name = frame.f_code.co_name
            line = _AT_LINE.format(file=Path(innermost.f_code.co_filename).name, lineno=innermost.f_lineno)
            if name == "<module>":
                return TooSlow(_("{module}.py did not finish importing within {limit} (stopped at {line}); "
                                 "look for a loop that never ends").format(module=module, limit=limit, line=line),
                               module)
            function = getattr(sys.modules.get(module), name, None)
            if getattr(function, "__code__", None) is frame.f_code:  # a function of the module, not a nested one
                return TooSlow(_("{name} did not finish within {limit} (stopped at {line}); look for a loop "
                                 "that never ends").format(name=name, limit=limit, line=line), module, name)
        frame = frame.f_back
    return TooSlow(_("this test did not finish within {limit}").format(limit=limit))


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the code running when ``seconds`` have passed (Unix, main thread; else no limit)."""
    if seconds <= 0 or not CAN_LIMIT or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.setitimer(signal.ITIMER_REAL, 1.0)  # if the code catches TooSlow and goes on, stop it again
        raise _too_slow(frame, seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _give_up_on(error: TooSlow) -> None:
    """Replace the function that ran too long by one that fails at once, so no other test waits for it."""
    module = sys.modules.get(error.module or "")
    if module is None or error.function is None:
        return
    message = str(error)

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise TooSlow(message, error.module, error.function)

    setattr(module, error.function, stopped)


# ---------------------------------------------------------------------------------------------
# Reporting: an unimplemented function is a to-do, not a crash


def _found(error: BaseException, kind: type[BaseException]) -> Any:
    """The exception of type ``kind`` behind ``error``, looking inside hypothesis' exception groups too."""
    if isinstance(error, kind):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _found(inner, kind)
            if found is not None:
                return found
    return None


@dataclass(frozen=True)
class CrashHint:
    """A well-known mistake behind an exception: raised in ``function`` (one of yours), of type
    ``error``, with a message matching the pattern ``message``, on a line of yours matching ``line``.
    A test module lists its hints in ``CRASH_HINTS``; the first that fits is shown."""

    function: str
    error: type[BaseException]
    message: str
    line: str
    hint: str

    def fits(self, error: BaseException, frame: traceback.FrameSummary) -> bool:
        return (
            frame.name == self.function
            and isinstance(error, self.error)
            and re.search(self.message, str(error)) is not None
            and re.search(self.line, frame.line or "") is not None
        )


def _your_frames(error: BaseException) -> list[traceback.FrameSummary]:
    return [frame for frame in traceback.extract_tb(error.__traceback__) if _is_student_file(frame.filename)]


def _your_exception(error: BaseException) -> BaseException | None:
    """The exception behind ``error`` (inside hypothesis' groups too) that your code raised, if any."""
    if isinstance(error, BaseExceptionGroup):
        return next((found for inner in error.exceptions if (found := _your_exception(inner))), None)
    return error if isinstance(error, Exception) and _your_frames(error) else None


def _crash_message(error: BaseException, hints: tuple[CrashHint, ...]) -> str:
    """One line: your function, the exception, your file and line, and the mistake it looks like."""
    frames = _your_frames(error)
    called, raised = frames[0], frames[-1]
    text = str(error).strip().splitlines()
    what = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    inside = _(", in {function}").format(function=raised.name) if raised.name != called.name else ""
    message = _("{function} raised {what} ({file}, line {lineno}{inside}: {line})").format(
        function=called.name, what=what, file=Path(raised.filename).name, lineno=raised.lineno, inside=inside,
        line=raised.line)
    hint = next((h.hint for h in hints if h.fits(error, raised)), None)
    return f"{message}; {hint}" if hint else message


def _stub_name(text: str) -> str | None:
    """The function a skeleton's ``NotImplementedError`` names, in whichever language the release wrote it."""
    for code in language.LANGUAGES:
        template = language.translation("assignment", HERE / "locale", code).gettext("{name} is not implemented yet")
        before, _field, after = template.partition("{name}")
        match = re.fullmatch(re.escape(before) + r"(\w+)" + re.escape(after), text)
        if match:
            return match.group(1)
    return None


def _todo_message(error: NotImplementedError) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = Path(frames[-1].filename).name if frames else _("your code")
    text = str(error) or _("this function is not implemented yet")
    # The stub's own message is written in the release's language: shown in the reader's.
    name = _stub_name(text)
    if name:
        text = _("{name} is not implemented yet").format(name=name)
    return _("{todo} — write it in {file}").format(todo=text, file=where)


_todo: dict[str, None] = {}  # messages seen, in order (a dict keeps order and drops duplicates)
_reported: set[str] = set()  # import failures and time-outs shown (their messages), and crashes (their lines)
TO_WRITE = pytest.StashKey[bool]()


# hypothesis's own words before the inputs it chose (the wording depends on its version).
HYPOTHESIS_WORDS = {"Falsifying example:": _("Falsifying example:"), "Failing test case:": _("Failing test case:")}


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    """Keep every failure to its message, and every test to the time limit.

    A NotImplementedError from the skeleton becomes a to-do, listed once at the end of the run (that
    function's later tests are skipped). A module that cannot be imported, a function that runs
    past the time limit, or an exception raised in your code fails one test with one line; the later
    tests that hit it again are skipped.
    A property's message gets the inputs hypothesis chose, so that the failure can be reproduced.
    """
    try:
        with time_limit(_time_limit_of(pyfuncitem.config)):
            return (yield)
    except pytest.fail.Exception as error:
        notes = getattr(error, "__notes__", [])
        if error.pytrace or not notes:
            raise
        # hypothesis's own words, said in the reader's language too.
        notes = [_hypothesis_note(note) for note in notes]
        message = "\n".join([error.msg or "", *notes])
    except BaseException as error:
        message = _once(pyfuncitem, error)
    # Failing here, outside the except clauses, keeps pytest from showing the exception it replaces.
    pytest.fail(message, pytrace=False)


def _hypothesis_note(note: str) -> str:
    """A note of hypothesis's with its words in the reader's language (the inputs are code)."""
    for english, translated in HYPOTHESIS_WORDS.items():
        if note.startswith(english):
            return translated + note[len(english):]
    return note


def _once(item: pytest.Function, error: BaseException) -> str:
    """The one line for a to-do, an import failure, a time-out or an exception your code raised; skip
    the test if it was shown already.

    Any other error is raised again, for pytest to show as usual.
    """
    stopped = _found(error, Stopped)
    if stopped is not None:
        if isinstance(stopped, TooSlow):
            _give_up_on(stopped)
        message = str(stopped)
        if message in _reported:
            pytest.skip(message)
        _reported.add(message)
        return message
    todo = _found(error, NotImplementedError)
    if todo is None:
        return _crash(item, error)
    message = _todo_message(todo)
    if message in _todo:
        # One test per unwritten function is enough; its other tests would only repeat it.
        pytest.skip(message)
    _todo[message] = None
    item.stash[TO_WRITE] = True
    return message


def _crash(item: pytest.Function, error: BaseException) -> str:
    """The one line for an exception your code raised; skip the test if that line raised it already.

    An error the tests themselves raise is raised again, for pytest to show as usual.
    """
    yours = _your_exception(error)
    if yours is None:
        raise error
    message = _crash_message(yours, getattr(item.module, "CRASH_HINTS", ()))
    raised = _your_frames(yours)[-1]
    key = f"{raised.filename}:{raised.lineno}:{type(yours).__name__}"
    if key in _reported:
        pytest.skip(_("stopped again at the same line: {message}").format(message=message))
    _reported.add(key)
    return message


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    report.to_write = report.when == "call" and report.failed and item.stash.get(TO_WRITE, False)
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """A to-do still fails the run, but it is counted as "to write" and shown only in the list at the end."""
    if getattr(report, "to_write", False):
        return _("to write"), "F", _("TO WRITE")
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the functions still to write, once each, at the end of the run."""
    if _todo:
        terminalreporter.section(_("still to write"), sep="-")
        for message in _todo:
            terminalreporter.line(message)
