"""A call the grader's numpy no longer accepts says so: the message names the grader's numpy version."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from helpers import reference_source

from autograder.core.calling import NUMPY_LACKS, describe_exception, run_case
from autograder.core.cases import cases_for
from autograder.core.spec import BY_NAME


def _rejects_newshape() -> bool:
    try:
        np.reshape(np.zeros(4), newshape=(2, 2))  # type: ignore[call-overload]
    except TypeError:
        return True
    return False


# The measured case: numpy 2.4 removed np.reshape's newshape=, which 2.3 still accepted (with a warning).
# Under a numpy that accepts it, a keyword numpy never had raises the same TypeError from the same C function.
KEYWORD = "newshape" if _rejects_newshape() else "no_such_keyword"

AFFINE_BACKWARD = f'''
def affine_backward(dout, cache):
    x, w, b = cache
    x_rows = x.reshape(x.shape[0], -1)
    dx = np.reshape(dout @ w.T, {KEYWORD}=x.shape)
    return dx, x_rows.T @ dout, dout.sum(axis=0)
'''


def _submission(tmp_path: Path, extra: str) -> ModuleType:
    path = tmp_path / "layers.py"
    path.write_text(reference_source("layers") + "\n\n" + extra)
    spec = importlib.util.spec_from_file_location(f"_numpy_api_{tmp_path.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _first_error(module: ModuleType, name: str) -> str:
    function = BY_NAME[name]
    case = next(iter(cases_for(function, seed=0).values()))[0]
    with np.errstate(all="ignore"):
        reply = run_case(module, function, {"args": case.args, "dout": case.dout})
    return str(reply["error"])


def test_newshape_is_the_case_this_numpy_rejects() -> None:
    if tuple(int(part) for part in np.__version__.split(".")[:2]) >= (2, 4):
        assert KEYWORD == "newshape"  # the lock's numpy, which the grader runs


def test_a_removed_numpy_keyword_names_the_graders_numpy(tmp_path: Path) -> None:
    error = _first_error(_submission(tmp_path, AFFINE_BACKWARD), "affine_backward")
    assert error.startswith(f"TypeError: reshape() got an unexpected keyword argument '{KEYWORD}'")
    assert f"np.reshape(dout @ w.T, {KEYWORD}=x.shape)" in error  # the student's line
    assert error.endswith(f"; {NUMPY_LACKS}")
    assert f"the grader runs numpy {np.__version__}" in error and "requirements.txt" in error


@pytest.mark.parametrize("body", [
    "return x.reshape(x.shape, no_such_keyword=1)",  # an ndarray method: numpy's other wording
    "return np.no_such_function(x)",  # a name numpy does not have (np.trapz in 2.4, say)
    "return x.no_such_method()",  # a method ndarray does not have (ndarray.ptp in 2.0)
])
def test_other_missing_numpy_apis_name_the_graders_numpy(tmp_path: Path, body: str) -> None:
    module = _submission(tmp_path, f"def probe(x):\n    {body}\n")
    with pytest.raises((TypeError, AttributeError)) as raised:
        module.probe(np.zeros(4))
    assert describe_exception(raised.value).endswith(f"; {NUMPY_LACKS}")


@pytest.mark.parametrize("body", [
    "def reshape(a):\n        return a\n    return reshape(x, newshape=1)",  # the student's own function
    "return x.reshape(3)",  # numpy refusing a value, not an API: a ValueError
    "return {}.no_such_method()",  # an attribute missing from a non-numpy object
])
def test_other_errors_say_nothing_about_numpy_versions(tmp_path: Path, body: str) -> None:
    module = _submission(tmp_path, f"def probe(x):\n    {body}\n")
    with pytest.raises((TypeError, ValueError, AttributeError)) as raised:
        module.probe(np.zeros(4))
    assert "the grader runs numpy" not in describe_exception(raised.value)
