"""Build the student release from the reference solution, and check that nothing leaked.

The solution modules in ``solutions/backprop`` are the single source: their ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions become ``raise NotImplementedError`` stubs in ``assignment/backprop``.
Next to the stubs the release puts the public tests (kept, solution-free, in
``solutions/backprop/public_tests``), the numeric core as ``gradcheck.py``, and ``public_cases.json``:
fixed inputs with the reference outputs, frozen at release time so students can compare against the
reference without ever holding its code.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
HINT_PREFIX = "# Hint:"
DEFAULT_HINT = "compute what the docstring lists under Returns; each gradient has the shape of its input"
STUDENT_MODULES = ("layers.py", "rnn_layers.py")
PUBLIC_TESTS = (
    "conftest.py",
    "test_layers.py",
    "test_rnn_layers.py",
    "pytest.ini",
    "requirements.txt",
    "README.md",
)
CASES_FILE = "public_cases.json"
# Files of these kinds in the assignment folder belong to the release; any the release did not
# write is a leftover of an older release (a renamed test, say) and is removed.
MANAGED_SUFFIXES = (".py", ".json", ".txt", ".ini")
CASES_SEED = 20161219  # the day the essay was published
INPUT_DIGITS = 6  # short inputs keep the JSON small; outputs are computed from the rounded values
# Outputs are rounded far below every tolerance (rtol 1e-6) so that last-bit differences between
# BLAS builds or SIMD paths on another machine do not change the bytes of the release.
OUTPUT_DIGITS = 10
KINK_GAP = 1e-3
ABOUT = "Fixed inputs and the reference solution's outputs, written by the release. Do not edit."

_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")
_module_names = itertools.count()


# ---------------------------------------------------------------------------------------------
# Stripping solutions


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines: list[str], lineno: int, indent: str) -> str:
    """Name of the innermost ``def`` above ``lines[lineno]`` that is less indented than ``indent``."""
    for line in reversed(lines[:lineno]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    raise ValueError(f"line {lineno + 1}: {BEGIN_MARKER} is not inside a function")


def strip_solutions(source: str) -> str:
    """Replace every solution region of ``source`` by a TODO comment and a ``NotImplementedError``.

    A region runs from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION`` line,
    both included. It becomes, at the region's indentation::

        # TODO: <hint>
        raise NotImplementedError("<function> is not implemented yet")

    where ``<function>`` is the enclosing function. A ``# Hint: ...`` comment right before the
    region is kept as it is and the TODO line then points to it instead of repeating it.

    Raises ValueError on a nested, unclosed or unopened region.
    """
    lines = source.splitlines(keepends=True)
    output: list[str] = []
    begin: int | None = None
    for lineno, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN_MARKER:
            if begin is not None:
                raise ValueError(f"line {lineno + 1}: {BEGIN_MARKER} inside the region of line {begin + 1}")
            begin = lineno
            indent = _indent(line)
            name = _enclosing_function(lines, lineno, indent)
            has_hint = lineno > 0 and lines[lineno - 1].strip().startswith(HINT_PREFIX)
            hint = "write this part; see the hint above" if has_hint else DEFAULT_HINT
            output.append(f"{indent}# TODO: {hint}\n")
            output.append(f'{indent}raise NotImplementedError("{name} is not implemented yet")\n')
        elif marker == END_MARKER:
            if begin is None:
                raise ValueError(f"line {lineno + 1}: {END_MARKER} without a {BEGIN_MARKER} before it")
            begin = None
        elif begin is None:
            output.append(line)
    if begin is not None:
        raise ValueError(f"line {begin + 1}: {BEGIN_MARKER} is never closed by {END_MARKER}")
    return "".join(output)


def _solution_regions(source: str) -> list[list[str]]:
    """The lines strictly inside each solution region (markers validated by strip_solutions)."""
    strip_solutions(source)
    regions: list[list[str]] = []
    current: list[str] | None = None
    for line in source.splitlines():
        if line.strip() == BEGIN_MARKER:
            current = []
        elif line.strip() == END_MARKER:
            regions.append(current or [])
            current = None
        elif current is not None:
            current.append(line)
    return regions


# ---------------------------------------------------------------------------------------------
# Leak check


def solution_lines(solutions_dir: Path) -> set[str]:
    """Every non-blank stripped line found strictly inside a solution region of ``solutions_dir/*.py``."""
    found: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("*.py")):
        for region in _solution_regions(path.read_text(encoding="utf-8")):
            found.update(line.strip() for line in region if line.strip())
    return found


def _line_variants(line: str) -> set[str]:
    """The stripped line, plus the decoded string if it is a JSON string (a notebook source line)."""
    stripped = line.strip()
    variants = {stripped}
    if stripped.startswith('"'):
        try:
            decoded = json.loads(stripped.rstrip(","))
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            variants.add(decoded.strip())
    return variants


def _read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _given_lines(solutions_dir: Path) -> set[str]:
    """Stripped lines the skeleton shows anyway: the solution modules with their regions stripped."""
    given: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("*.py")):
        given.update(line.strip() for line in strip_solutions(path.read_text(encoding="utf-8")).splitlines())
    return given


def find_leaks(solutions_dir: Path, assignment_dir: Path) -> list[str]:
    """Report solution code found in the release, as ``"path:lineno: line"`` messages.

    A leak is a line of any text file under ``assignment_dir`` whose stripped text (or, for a JSON
    string such as a notebook source line, its decoded text) equals a line from inside a solution
    region, or any file that still contains a solution marker. Lines that give nothing away are not
    searched for: those the skeleton shows anyway (a ``return dx`` inside a region, say) and those
    without a letter or digit (a closing bracket).
    """
    secret = {
        line
        for line in solution_lines(solutions_dir) - _given_lines(solutions_dir)
        if any(char.isalnum() for char in line)
    }
    leaks: list[str] = []
    for path in sorted(p for p in Path(assignment_dir).rglob("*") if p.is_file()):
        text = _read_text(path)
        if text is None:
            continue
        for marker in (BEGIN_MARKER.lstrip("# "), END_MARKER.lstrip("# ")):
            if marker in text:
                leaks.append(f"{path}: contains the marker {marker!r}")
        for lineno, line in enumerate(text.splitlines(), start=1):
            if _line_variants(line) & secret:
                leaks.append(f"{path}:{lineno}: {line.strip()}")
    return leaks


# ---------------------------------------------------------------------------------------------
# Public cases


def _import_reference(path: Path) -> ModuleType:
    """Import a reference module under a fresh name, so no cached or student module stands in for it.

    The source is compiled here rather than by the import system's loader, which would also write a
    ``__pycache__`` folder into the solutions.
    """
    name = f"_backprop_reference_{path.stem}_{next(_module_names)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ImportError(f"cannot import the reference module {path}")
    module = importlib.util.module_from_spec(spec)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


def _round(values: Any, digits: int) -> np.ndarray:
    """Round to ``digits`` significant digits (exact zeros and integers survive unchanged)."""
    array = np.asarray(values, dtype=np.float64)
    return np.vectorize(lambda v: float(f"{v:.{digits}g}"), otypes=[np.float64])(array).reshape(array.shape)


def _draw(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    return _round(scale * rng.standard_normal(shape), INPUT_DIGITS)


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """Random values with |v| >= 0.05 * scale: far from a kink at 0 for finite differences."""
    magnitude = scale * rng.uniform(0.05, 2.0, size=shape)
    return _round(np.where(rng.random(shape) < 0.5, -magnitude, magnitude), INPUT_DIGITS)


def _saturating(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Pre-activations mixing saturation (|x| from 20 up to 1000) with ordinary small values."""
    large = rng.uniform(20.0, 1000.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    small = rng.standard_normal(shape)
    x = np.where(rng.random(shape) < 0.6, large, small)
    x.flat[:2] = [1000.0, -1000.0]  # the ends of the range, always present
    return _round(x, INPUT_DIGITS)


def _labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    return rng.integers(0, classes, size=n)


def _svm_scores(rng: np.random.Generator, n: int, classes: int, scale: float) -> tuple[np.ndarray, ...]:
    """Scores and labels whose hinge margins x_j - x_y + 1 all stay away from 0 (the kink)."""
    while True:
        x, y = _draw(rng, (n, classes), scale), _labels(rng, n, classes)
        margins = x - x[np.arange(n), y][:, None] + 1.0
        margins[np.arange(n), y] = np.inf
        if np.abs(margins).min() > 10 * KINK_GAP:
            return x, y


def _regression_pair(
    rng: np.random.Generator, shape: tuple[int, ...], delta: float, far: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets with |pred - target| away from delta; ``far``: mostly far beyond it."""
    while True:
        target = _draw(rng, shape, 2.0)
        if far:
            diff = rng.uniform(10.0, 1000.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
            diff.flat[0] = 0.3 * delta  # one error inside the quadratic zone for contrast
        else:
            diff = 2.0 * delta * rng.standard_normal(shape)
        pred = _round(target + diff, INPUT_DIGITS)
        if np.abs(np.abs(pred - target) - delta).min() > 10 * KINK_GAP:
            return pred, target


def _matrix_with_radius(rng: np.random.Generator, size: int, radius: float) -> np.ndarray:
    """A random square matrix scaled so that its spectral radius is about ``radius``."""
    a = rng.standard_normal((size, size))
    return _round(a * (radius / np.abs(np.linalg.eigvals(a)).max()), INPUT_DIGITS)


def _case(name: str, inputs: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "inputs": inputs, "expected": expected}


def _layer_cases(rng: np.random.Generator, layers: ModuleType) -> dict[str, list[dict[str, Any]]]:
    """Public cases of the layers module: inputs, upstream gradient, reference outputs."""

    def affine(name: str, x: np.ndarray, w: np.ndarray, b: np.ndarray, dout: np.ndarray) -> dict[str, Any]:
        out, cache = layers.affine_forward(x, w, b)
        dx, dw, db = layers.affine_backward(dout, cache)
        return _case(name, {"x": x, "w": w, "b": b, "dout": dout}, {"out": out, "dx": dx, "dw": dw, "db": db})

    def elementwise(kind: str, name: str, x: np.ndarray, dout: np.ndarray) -> dict[str, Any]:
        out, cache = getattr(layers, f"{kind}_forward")(x)
        dx = getattr(layers, f"{kind}_backward")(dout, cache)
        return _case(name, {"x": x, "dout": dout}, {"out": out, "dx": dx})

    def loss(kind: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        value, grad = getattr(layers, kind)(**inputs)
        grad_name = "dx" if "x" in inputs else "dpred"
        return _case(name, inputs, {"loss": value, grad_name: grad})

    dead_x = _away_from_zero(rng, (5, 4))
    dead_x[:, 1] = -np.abs(dead_x[:, 1])  # a unit that never fires on this batch
    dead_x[[0, 2, 3], [0, 2, 3]] = 0.0  # exact zeros: any subgradient in [0, 1] is accepted
    dead_dout = _draw(rng, (6, 5))
    dead_dout[:, [1, 3]] = 0.0  # the ReLUs above these units did not fire

    cases: dict[str, list[dict[str, Any]]] = {
        "affine_backward": [
            affine("random", _draw(rng, (3, 2, 3)), _draw(rng, (6, 5)), _draw(rng, (5,)), _draw(rng, (3, 5))),
            affine("square_w", _draw(rng, (4, 4)), _draw(rng, (4, 4)), _draw(rng, (4,)), _draw(rng, (4, 4))),
            affine("dead_units", _draw(rng, (6, 3)), _draw(rng, (3, 5)), _draw(rng, (5,)), dead_dout),
        ],
        "relu_backward": [
            elementwise("relu", "random", _away_from_zero(rng, (4, 5)), _draw(rng, (4, 5))),
            elementwise("relu", "dead_units", dead_x, _draw(rng, (5, 4))),
        ],
    }
    for kind in ("sigmoid", "tanh"):
        cases[f"{kind}_backward"] = [
            elementwise(kind, "random", _draw(rng, (4, 5), 2.0), _draw(rng, (4, 5))),
            elementwise(kind, "saturated", _saturating(rng, (5, 6)), _draw(rng, (5, 6))),
        ]
    cases["softmax_loss"] = [
        loss("softmax_loss", "random", {"x": _draw(rng, (5, 4)), "y": _labels(rng, 5, 4)}),
        loss("softmax_loss", "scores_in_thousands", {"x": _draw(rng, (4, 6), 2e3), "y": _labels(rng, 4, 6)}),
        loss("softmax_loss", "one_example", {"x": _draw(rng, (1, 3)), "y": _labels(rng, 1, 3)}),
    ]
    cases["svm_loss"] = []
    svm_shapes = (("random", 5, 4, 1.0), ("wide_scores", 4, 6, 5.0), ("one_example", 1, 3, 1.0))
    for name, n, classes, scale in svm_shapes:
        x, y = _svm_scores(rng, n, classes, scale)
        cases["svm_loss"].append(loss("svm_loss", name, {"x": x, "y": y}))
    for kind in ("huber_loss", "clipped_square_loss"):
        cases[kind] = []
        for name, shape, delta, far in (
            ("random", (4, 3), 1.0, False),
            ("errors_far_beyond_delta", (3, 5), 1.0, True),
            ("delta_2_5", (7,), 2.5, False),
        ):
            pred, target = _regression_pair(rng, shape, delta, far)
            cases[kind].append(loss(kind, name, {"pred": pred, "target": target, "delta": delta}))
    return cases


def _rnn_cases(rng: np.random.Generator, rnn: ModuleType) -> dict[str, list[dict[str, Any]]]:
    """Public cases of the rnn_layers module."""

    def step(name: str, wx_scale: float) -> dict[str, Any]:
        n, d, h = 3, 4, 5
        x, prev_h = _draw(rng, (n, d)), _draw(rng, (n, h), 0.5)
        Wx, Wh, b = _draw(rng, (d, h), wx_scale), _draw(rng, (h, h), 0.5), _draw(rng, (h,))
        dnext_h = _draw(rng, (n, h))
        next_h, cache = rnn.rnn_step_forward(x, prev_h, Wx, Wh, b)
        dx, dprev_h, dWx, dWh, db = rnn.rnn_step_backward(dnext_h, cache)
        return _case(
            name,
            {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "b": b, "dnext_h": dnext_h},
            {"next_h": next_h, "dx": dx, "dprev_h": dprev_h, "dWx": dWx, "dWh": dWh, "db": db},
        )

    def sequence(name: str, steps: int, radius: float) -> dict[str, Any]:
        n, d, h = 2, 3, 4
        x, h0 = _draw(rng, (n, steps, d)), _draw(rng, (n, h), 0.5)
        # Small input weights keep tanh out of saturation, so Wh's spectral radius drives the gradient.
        Wx, Wh, b = _draw(rng, (d, h), 0.1), _matrix_with_radius(rng, h, radius), _draw(rng, (h,), 0.1)
        dh = _draw(rng, (n, steps, h))
        hs, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
        dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
        return _case(
            name,
            {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b, "dh": dh},
            {"h": hs, "dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db},
        )

    def clip(name: str, scale: float, max_norm: float) -> dict[str, Any]:
        grads = {"W": _draw(rng, (3, 4), scale), "b": _draw(rng, (4,), scale)}
        clipped, total_norm = rnn.clip_grad_norm(grads, max_norm)
        expected = {"clipped": clipped, "total_norm": total_norm}
        return _case(name, {"grads": grads, "max_norm": max_norm}, expected)

    return {
        "rnn_step_backward": [step("random", 0.5), step("saturated", 50.0)],
        "rnn_backward": [
            sequence("exploding_radius_1_5", 8, 1.5),
            sequence("vanishing_radius_0_5", 8, 0.5),
            sequence("one_step", 1, 0.9),
        ],
        "clip_grad_norm": [clip("norm_above_max", 3.0, 1.0), clip("norm_below_max", 0.1, 5.0)],
    }


def _encode(value: Any, digits: int) -> Any:
    """JSON-ready form: arrays become {"shape", "data"} (plus "dtype" for integers), floats rounded."""
    if isinstance(value, dict):
        return {key: _encode(item, digits) for key, item in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return {"dtype": "int64", "shape": list(value.shape), "data": [int(v) for v in value.flat]}
    if isinstance(value, np.ndarray):
        # Adding 0.0 turns -0.0 into 0.0, so no message ever says "expected -0".
        return {"shape": list(value.shape), "data": (_round(value, digits).ravel() + 0.0).tolist()}
    return float(_round(value, digits)) + 0.0


def _encode_case(case: dict[str, Any]) -> dict[str, Any]:
    # Inputs were rounded when drawn, so encoding them again changes nothing; outputs get rounded here.
    return {
        "name": case["name"],
        "inputs": _encode(case["inputs"], INPUT_DIGITS),
        "expected": _encode(case["expected"], OUTPUT_DIGITS),
    }


def _dumps(cases: dict[str, list[dict[str, Any]]]) -> str:
    """Deterministic JSON (sorted keys, exact float reprs) with one case per line, for readable diffs."""

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, allow_nan=False)

    blocks = [
        f"{dump(function)}: [\n" + ",\n".join(dump(_encode_case(case)) for case in cases[function]) + "\n]"
        for function in sorted(cases)
    ]
    return f'{{"about": {dump(ABOUT)},\n"cases": {{\n' + ",\n".join(blocks) + f'\n}},\n"seed": {CASES_SEED}}}\n'


def public_cases(solutions_dir: Path) -> str:
    """The text of ``public_cases.json``: fixed inputs and the reference outputs, as deterministic JSON."""
    rng = np.random.default_rng(CASES_SEED)
    cases = _layer_cases(rng, _import_reference(Path(solutions_dir) / "layers.py"))
    cases.update(_rnn_cases(rng, _import_reference(Path(solutions_dir) / "rnn_layers.py")))
    return _dumps(cases)


# ---------------------------------------------------------------------------------------------
# Release


def release(solutions_dir: Path, assignment_dir: Path) -> list[Path]:
    """Write the student release of ``solutions_dir`` into ``assignment_dir``; return the written paths.

    Writes the stripped student modules, ``gradcheck.py`` (a copy of ``autograder/numeric.py``),
    the public tests copied from ``solutions_dir/public_tests`` and ``public_cases.json``. Files of
    the kinds the release manages (``*.py``, ``*.json``, ``*.txt``, ``*.ini``) that it did not write
    are deleted; anything else in the folder (notebooks, data) is left alone.
    """
    solutions_dir, assignment_dir = Path(solutions_dir), Path(assignment_dir)
    # Everything is built before anything is written, so a broken solution leaves the old release intact.
    files = {
        name: strip_solutions((solutions_dir / name).read_text(encoding="utf-8")).encode("utf-8")
        for name in STUDENT_MODULES
    }
    files["gradcheck.py"] = Path(__file__).with_name("numeric.py").read_bytes()
    files.update({name: (solutions_dir / "public_tests" / name).read_bytes() for name in PUBLIC_TESTS})
    files[CASES_FILE] = public_cases(solutions_dir).encode("utf-8")

    assignment_dir.mkdir(parents=True, exist_ok=True)
    for path in assignment_dir.iterdir():
        if path.is_file() and path.suffix in MANAGED_SUFFIXES and path.name not in files:
            path.unlink()
    written = []
    for name, data in files.items():
        (assignment_dir / name).write_bytes(data)  # bytes: no newline translation on any platform
        written.append(assignment_dir / name)
    return written
