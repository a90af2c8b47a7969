"""Call a module's functions on given cases and report plain results: no judging happens here.

This is the only code that touches a submission's functions. The grader runs it in a child process
for student code (see ``runner``) and in-process for the trusted reference. Every reply is plain
data: float64 arrays, strings and booleans, ready for the wire.

A request for one case is ``{"args": {...}, "dout": array | None, "perturb": {arg: flat indices}}``;
``perturb`` asks for the forward output at each listed element of ``arg`` moved by +h and -h. A
request with a ``shared`` layout (``observed``) has its inputs in memory the grader watches; they
are handed to the student as they are, not copied, so the grader sees what the code does to them.
"""

from __future__ import annotations

import copy
import re
import sysconfig
import traceback
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from autograder.core.numeric import STEP
from autograder.core.spec import GradedFunction, Kind
from autograder.core.walls import explain

# Bound once, when this module is imported: in the child that is before the student's code runs, so
# a submission that patches numpy or copy cannot change how its own answers and inputs are recorded.
_array = np.array
_asarray = np.asarray
_array_equal = np.array_equal
_shares_memory = np.shares_memory
_deepcopy = copy.deepcopy
_ndarray = np.ndarray
_copy_array = np.ndarray.copy


# Where a case's functions are looked up by name: a module, or a namespace standing in for one (``mistakes``
# runs a known mistake that way).
Namespace = ModuleType | SimpleNamespace

MESSAGE_CHARACTERS = 400  # of an exception's message, and of its source line, kept in a reply
NAME_CHARACTERS = 80  # of a name the student's code chose (a class, a file, a function), kept in a reply
LAYOUT_DEPTH, LAYOUT_PARTS = 3, 32  # how deep, and how many parts of, a cache ``cache_layout`` describes


class CallError(Exception):
    """A student function could not be called or returned something unusable."""


def _as_float_array(value: Any, what: str) -> np.ndarray:
    if value is None:
        raise CallError(f"{what} is None; did you forget to return it?")
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype) and (dtype.kind == "c" or (dtype.kind == "f" and dtype.itemsize < 8)):
        # float32 answers pass or fail the float64 tolerances by luck; say so instead.
        raise CallError(f"{what} has dtype {dtype}; return float64 arrays, like the inputs")
    try:
        # np.array (not asarray) drops ndarray subclasses and copies: we keep a plain snapshot.
        array = _array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CallError(f"{what} is not an array of numbers (got {type(value).__name__}: {error})") from None
    return array


def _unpack(result: Any, count: int, what: str) -> tuple[Any, ...]:
    if count == 1 and not isinstance(result, tuple):
        return (result,)
    if not isinstance(result, tuple | list) or len(result) != count:
        got = f"{len(result)} values" if isinstance(result, tuple | list) else type(result).__name__
        raise CallError(f"{what} returned {got}; expected {count}")
    return tuple(result)


def _fresh(value: Any) -> Any:
    """A copy that no later change to ``value`` reaches: a plain array's own copy (what deepcopy makes of
    one, without its per-object bookkeeping), anything else deep-copied."""
    return _copy_array(value, order="K") if type(value) is _ndarray else _deepcopy(value)


def _call_args(args: dict[str, Any]) -> list[Any]:
    """Fresh copies of the arguments: a student function may scribble on them."""
    return [_fresh(value) for value in args.values()]


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and _array_equal(before, after, equal_nan=True))
    if isinstance(before, tuple | list):
        return (isinstance(after, tuple | list) and len(before) == len(after)
                and all(_same(b, a) for b, a in zip(before, after, strict=True)))
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _same(before[k], after[k]) for k in before)
    return True


def _forward_output(module: Namespace, function: GradedFunction, args: list[Any]) -> np.ndarray:
    """The value finite differences see: a layer's output or a loss's value."""
    result = getattr(module, function.forward)(*args)
    first = _unpack(result, 2, function.forward)[0]
    return _as_float_array(first, f"{function.forward}'s first return value")


def _perturbed(module: Namespace, function: GradedFunction, args: dict[str, Any],
               perturb: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    outputs = {}
    for name, indices in perturb.items():
        values = []
        for index in indices:
            pair = []
            for sign in (1.0, -1.0):
                moved = _call_args(args)
                position = list(args).index(name)
                moved[position].reshape(-1)[int(index)] += sign * STEP
                pair.append(_forward_output(module, function, moved))
            values.append(pair)
        outputs[name] = _array(values, dtype=np.float64)
    return outputs


def _inputs(request: dict[str, Any]) -> tuple[list[Any], Any]:
    """The forward's arguments and ``dout`` handed to the student's code: the views of the memory the
    grader watches where the request is shared (``observed``), else fresh copies."""
    if request.get("shared"):
        return list(request["args"].values()), request["dout"]
    dout = request["dout"]
    return _call_args(request["args"]), (dout.copy() if isinstance(dout, np.ndarray) else dout)


def cache_layout(cache: Any, path: str = "cache", depth: int = 0) -> list[str]:
    """What a forward's cache holds, one line per part: ``cache[4]: array (1, 4)``. The grader compares
    the student's with the given forward's to tell a crash in a backward that its cache set up."""
    if isinstance(cache, np.ndarray):
        return [f"{path}: array {tuple(int(side) for side in cache.shape)}"]
    if isinstance(cache, tuple | list) and depth < LAYOUT_DEPTH:
        return [line for index, part in enumerate(cache[:LAYOUT_PARTS])
                for line in cache_layout(part, f"{path}[{index}]", depth + 1)][:LAYOUT_PARTS]
    return [f"{path}: {_name(type(cache).__name__)}"]


def _run_layer(module: Namespace, function: GradedFunction, request: dict[str, Any],
               seen: dict[str, Any], watch: bool) -> dict[str, Any]:
    dout_before = _array(request["dout"])
    call_args, dout = _inputs(request)
    forward = _unpack(getattr(module, function.forward)(*call_args), 2, function.forward)
    out, cache = forward
    seen["cache_layout"] = cache_layout(cache)  # kept if the backward then raises
    out = _as_float_array(out, f"{function.forward}'s output")
    cache_before = _deepcopy(cache) if watch else None
    backward = getattr(module, function.name)
    names = [grad for grad, _ in function.grads]
    result = _unpack(backward(dout, cache), len(names), function.name)
    grads = {name: _as_float_array(value, name) for name, value in zip(names, result, strict=True)}
    changed = [] if not watch else [
        what for what, unchanged in (("dout", _array_equal(dout, dout_before, equal_nan=True)),
                                     ("cache", _same(cache_before, cache))) if not unchanged]
    return {"out": out, "grads": grads, "changed": changed}


def _run_loss(module: Namespace, function: GradedFunction, request: dict[str, Any],
              seen: dict[str, Any], watch: bool) -> dict[str, Any]:
    args = request["args"]
    before = _call_args(args) if watch else []
    call_args, _ = _inputs(request)
    loss, grad = _unpack(getattr(module, function.name)(*call_args), 2, function.name)
    name = function.grads[0][0]
    changed = [arg for arg, was, now in zip(args, before, call_args, strict=True)
               if not _same(_asarray(was), _asarray(now))] if watch else []
    return {"out": _as_float_array(loss, "loss"), "grads": {name: _as_float_array(grad, name)},
            "changed": changed}


def _run_clip(module: Namespace, function: GradedFunction, request: dict[str, Any],
              seen: dict[str, Any], watch: bool) -> dict[str, Any]:
    before = _deepcopy(request["args"]["grads"]) if watch else None
    if request.get("shared"):
        grads = dict(request["args"]["grads"])
    else:
        grads = {k: v.copy() for k, v in request["args"]["grads"].items()}
    max_norm = request["args"]["max_norm"]
    clipped, total_norm = _unpack(getattr(module, function.name)(grads, max_norm), 2, function.name)
    if not isinstance(clipped, dict):
        raise CallError(f"clipped is a {type(clipped).__name__}, expected a dict")
    changed = []
    if watch and not _same(before, grads):
        changed.append("the input dict")
    if watch and (clipped is grads or any(
            isinstance(c, np.ndarray) and any(_shares_memory(c, g) for g in grads.values())
            for c in clipped.values())):
        changed.append("returned arrays share memory with the input")
    return {"out": _as_float_array(total_norm, "total_norm"),
            "grads": {f"clipped[{k!r}]": _as_float_array(v, f"clipped[{k!r}]") for k, v in clipped.items()},
            "changed": changed}


_RUNNERS = {Kind.LAYER: _run_layer, Kind.LOSS: _run_loss, Kind.CLIP: _run_clip}


def crash_of(error: BaseException) -> dict[str, Any]:
    """The facts of an exception a student's function raised, for feedback that need not quote its
    message: its type and first line; the innermost frame outside numpy, the standard library and
    the kit (``file``, ``line``, ``code``, ``function``; "" and -1 if none); and ``raised_there``,
    whether that frame raised it itself (a ``raise``, an ``assert``, an operator on its line) rather
    than a library function it called."""
    crash: dict[str, Any] = {"type": _name(type(error).__name__), "message": _first_line(error), "file": "",
                             "line": -1, "code": "", "function": "", "raised_there": False}
    frames = traceback.extract_tb(error.__traceback__)
    for depth, frame in enumerate(reversed(frames)):
        if not frame.filename.startswith(tuple(_KIT_PATHS)):
            crash |= {"file": _name(frame.filename.rsplit("/", 1)[-1]), "line": int(frame.lineno or -1),
                      "code": (frame.line or "").strip()[:MESSAGE_CHARACTERS], "function": _name(frame.name),
                      "raised_there": depth == 0}
            break
    return crash


def _name(text: str) -> str:
    """A name the student's code chose, cut short: every part of a true reply must fit its bound
    (``sandbox.replies``), whatever the names."""
    return text[:NAME_CHARACTERS]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:MESSAGE_CHARACTERS] if text else ""  # a huge message would make the reply refused


def describe_exception(error: BaseException) -> str:
    """One line naming the exception and the submission line it came from, if any."""
    if isinstance(error, CallError):
        return str(error)
    where, line = "", ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if not frame.filename.startswith(tuple(_KIT_PATHS)):
            line = (frame.line or "").strip()
            where = f" (line {frame.lineno}: {line})"
            break
    explained = explain(error)
    if explained:  # a wall of the sandbox: say which, not just "PermissionError"
        return f"your code {explained}{where[:MESSAGE_CHARACTERS]} [{_name(type(error).__name__)}]"
    first = _first_line(error)
    lacks = f"; {NUMPY_LACKS}" if _numpy_lacks(error, first, line) else ""
    return f"{_name(type(error).__name__)}: {first}{where[:MESSAGE_CHARACTERS]}{lacks}".strip()


# A correct solution written for another numpy (a keyword or a name that numpy has since removed, such as
# ``np.reshape(a, newshape=...)`` in numpy 2.4) fails only on the grader's: the student must learn why.
NUMPY_LACKS = (f"the grader runs numpy {np.__version__}, which has no such argument or name: write it as numpy "
               f"{np.__version__} (the version in the assignment's requirements.txt) allows")
_NUMPY_API = re.compile(
    r"(?<![\w.])(?P<function>\w+)\(\) got an unexpected keyword argument '(?P<keyword>\w+)'"
    r"|'(?P<invalid>\w+)' is an invalid keyword argument"  # numpy's C functions, e.g. ndarray.reshape
    r"|module 'numpy(?:\.\w+)*' has no attribute|'numpy\.\w+' object has no attribute")


def _numpy_lacks(error: BaseException, message: str, line: str) -> bool:
    """Whether ``error`` is numpy refusing a keyword or a name it does not have, raised on the student's ``line``."""
    match = _NUMPY_API.search(message) if isinstance(error, TypeError | AttributeError) else None
    if match is None:
        return False
    keyword = match.group("keyword") or match.group("invalid")
    if keyword is None:  # the message itself names numpy's module or type
        return True
    frames = traceback.extract_tb(error.__traceback__)
    if frames and frames[-1].filename.startswith(_NUMPY_DIR):
        return True
    # numpy's C functions raise from the student's own line, which must then call numpy with that keyword.
    function = match.group("function")
    if f"{keyword}=" not in line:
        return False
    if function is None:
        return bool(re.search(r"\b(?:np|numpy)\.|\.\w+\s*\(", line))
    return (hasattr(np, function) or hasattr(np.ndarray, function)) and bool(re.search(rf"\.{function}\s*\(", line))


# numpy and the other installed packages, the standard library, the kit: none of them is the student's line.
_KIT_PATHS = [str(np.__file__).rsplit("/", 2)[0], sysconfig.get_paths()["stdlib"], __file__.rsplit("/", 2)[0]]
_NUMPY_DIR = str(np.__file__).rsplit("/", 1)[0] + "/"


def _code_of(function: Any) -> dict[str, Any]:
    """Which code a graded name ran: the grader compares it with the ``def`` it read in the source."""
    code = getattr(function, "__code__", None)
    if code is None:
        return {"name": _name(type(function).__name__), "line": -1, "file": ""}
    return {"name": _name(str(code.co_name)), "line": int(code.co_firstlineno),
            "file": _name(str(code.co_filename).rsplit("/", 1)[-1])}


def error_reply(error: str, not_implemented: bool = False, import_failed: bool = False) -> dict[str, Any]:
    """A case reply that carries ``error`` instead of values: the one shape of every failed case, whether
    the student's code raised, the child could not answer or the grader could not read the answer.
    ``import_failed``: the module itself could not be imported, so no function of it ran."""
    reply: dict[str, Any] = {"error": error, "not_implemented": not_implemented}
    if import_failed:
        reply["import_failed"] = True
    return reply


def run_case(module: Namespace, function: GradedFunction, request: dict[str, Any], watch: bool = True
             ) -> dict[str, Any]:
    """Run one case; never raise (an exception becomes the reply's ``error``, its facts ``crash``).

    ``watch``: record which of its inputs the code changed (the reply's ``changed``). The trusted reference
    is not watched: it changes none, and watching costs a third of its answers' time (copies of every
    cache, compared element by element after the backward).
    """
    seen: dict[str, Any] = {}
    try:
        if not hasattr(module, function.name):
            raise CallError(f"{function.file} has no function {function.name}")
        # The arguments of the differences are copied before any student code sees the inputs.
        pristine = {name: _fresh(value) for name, value in request["args"].items()} if request.get("perturb") else {}
        reply = _RUNNERS[function.kind](module, function, request, seen, watch) | seen
        reply["code"] = _code_of(getattr(module, function.name))
        if request.get("perturb"):
            reply["perturbed"] = _perturbed(module, function, pristine, request["perturb"])
        reply["error"] = ""
        reply["not_implemented"] = False
    except (Exception, SystemExit, KeyboardInterrupt, RecursionError) as error:  # student code: anything
        reply = error_reply(describe_exception(error), not_implemented=isinstance(error, NotImplementedError))
        if not isinstance(error, CallError | NotImplementedError):
            reply["crash"] = crash_of(error)
        reply |= seen
    return reply


def run_function(module: ModuleType, function: GradedFunction, requests: list[dict[str, Any]],
                 watch: bool = True) -> list[dict]:
    """Run every case of one function, in order (``watch``: as in ``run_case``)."""
    with np.errstate(all="ignore"):  # overflow in a student's formula is judged, not printed
        return [run_case(module, function, request, watch) for request in requests]
