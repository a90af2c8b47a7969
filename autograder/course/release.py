"""Build the student release from the reference solution, and check that nothing leaked.

The solution modules in ``solutions/backprop`` are the single source: their ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions become ``raise NotImplementedError`` stubs in ``assignment/backprop``.
Next to the stubs the release puts the public tests (kept, solution-free, in
``solutions/backprop/public_tests``), the numeric core as ``gradcheck.py``, and ``public_cases.json``:
a few of the grader's own cases with the reference outputs, frozen at release time so students can
compare against the reference without ever holding its code.

Every language the kit speaks gets a release of its own, from the same source: English in
``assignment/backprop`` (nbgrader's release folder), and each other language in a sibling course
folder, ``assignment-<lang>/backprop`` (``assignment-vi/backprop``). A sibling rather than a subfolder,
because nbgrader reads every folder of its release directory as an assignment: a course teaching in
Vietnamese sets ``c.CourseDirectory.release_directory = "assignment-vi"`` (``COURSE_LANGUAGE`` in
``nbgrader_config.py``) and everything else stays as it is. The releases differ only where a student
reads text written by the release (``localize``): the hints and stubs of the modules, the README. The
public tests, the helpers and the cases are the same files in every release; they carry the
``assignment`` catalogs (``locale/<lang>/LC_MESSAGES/assignment.mo``) and the kit's ``language.py``, and
show their messages in the language ``BACKPROP_LANG`` names, else the release's own
(``locale/LANGUAGE``, written in a translated release only), else the locale's, else English. So a
student of either release can read the messages in either language, and one file a student edits
never differs between the two releases.
"""

from __future__ import annotations

import ast
import bisect
import html
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograder import KIT_ROOT
from autograder.core import language, numeric, syntax
from autograder.core.cases import Case, cases_for
from autograder.core.spec import FUNCTIONS, MODULE_FILES, MODULES, GradedFunction, Kind, Oracle, kink_distance
from autograder.course import localize, notebook_text

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
HINT_PREFIX = "# Hint:"
DEFAULT_HINT = localize.DEFAULT_HINT
PUBLIC_TESTS = (
    "conftest.py",
    "test_layers.py",
    "test_rnn_layers.py",
    "pytest.ini",
    "README.md",
)
# The students' requirements.txt: these packages at the exact versions the grader runs (requirements.lock), so a
# solution that passes the public tests meets the same numpy when graded.
REQUIREMENTS_FILE = "requirements.txt"
STUDENT_PACKAGES = ("numpy", "pytest", "hypothesis")  # numpy, and pyproject.toml's `student` extra
LOCK = KIT_ROOT / "requirements.lock"
# Given to students verbatim: the notebooks' helpers (no solution regions; the leak check makes sure).
NOTEBOOK_HELPERS = ("nbcheck.py",)
# The students' copy of the kit's language rules (autograder/core/language.py), which the public tests and
# nbcheck.py use to pick their catalog, and the catalogs themselves: the "assignment" domain, compiled.
LANGUAGE_FILE = "language.py"
CATALOG_DOMAIN = "assignment"
NOTEBOOK_DOMAIN = "notebooks"  # read at release time only: the translated notebooks are written with their text
LOCALE = "locale"  # in the solutions (the catalogs' sources, translations.ASSIGNMENT) and in the release
CASES_FILE = "public_cases.json"
# Files of these kinds in the assignment folder belong to the release; any the release did not
# write is a leftover of an older release (a renamed test, say) and is removed.
MANAGED_SUFFIXES = (".py", ".json", ".txt", ".ini")
PUBLIC_SEED = 20161219  # the day the essay was published
INPUT_DIGITS = 6  # short inputs keep the JSON small; outputs are computed from the rounded values
# Outputs are rounded far below every tolerance (rtol 1e-6) so that last-bit differences between
# BLAS builds or SIMD paths on another machine do not change the bytes of the release.
OUTPUT_DIGITS = 10
KINK_GAP = 1e-3  # the public tests' own: closer than this to a kink, finite differences are not trusted
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


def _untranslated(message: str) -> str:
    return message


def strip_solutions(source: str, translate: localize.Translate = _untranslated) -> str:
    """Replace every solution region of ``source`` by a TODO comment and a ``NotImplementedError``.

    A region runs from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION`` line,
    both included. It becomes, at the region's indentation::

        # TODO: <hint>
        raise NotImplementedError("<function> is not implemented yet")

    where ``<function>`` is the enclosing function. A ``# Hint: ...`` comment right before the
    region is kept as it is and the TODO line then points to it instead of repeating it.

    ``translate`` gives the TODO and error messages in the release's language (English by default).
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
            hint = translate(localize.TODO_POINTER if has_hint else localize.DEFAULT_HINT)
            output.append(f"{indent}# TODO: {hint}\n")
            todo = translate(localize.NOT_IMPLEMENTED).format(name=name)
            output.append(f'{indent}raise NotImplementedError("{todo}")\n')
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
#
# A solution line is searched for as a sequence of tokens, not as a line of text, so that it is found
# however it is embedded: in a comment, after other code, with other whitespace or quotes, split over
# lines, or inside a JSON (notebook) string. See find_leaks.

# Names and numbers whole, the usual two- and three-character operators, any other character alone.
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\w+|\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%@&|^=<>!]=|[^\w\s]")
_QUOTES = {"'": '"'}
_COMMENT = "#"
_SEP = "\x1f"  # joins tokens into one string, so a token sequence is found with str.find
_JSON_STRING = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
MIN_TOKENS = 3  # shorter solution lines (``else:``, ``return h``, ``dx``) give nothing away
DECODE_DEPTH = 3  # how deep a JSON string inside a JSON string is still decoded


def _tokens(text: str) -> list[str]:
    """The tokens of ``text``: whitespace dropped, both quote characters made one."""
    return [_QUOTES.get(token, token) for token in _TOKEN.findall(text)]


class _Stream:
    """A text as one sequence of tokens (comment markers dropped), each token with the line it is on."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.tokens: list[str] = []
        self.linenos: list[int] = []
        for lineno, text in lines:
            tokens = [token for token in _tokens(text) if token != _COMMENT]
            self.tokens += tokens
            self.linenos += [lineno] * len(tokens)
        self.starts = list(itertools.accumulate((len(token) + 1 for token in self.tokens), initial=0))
        self.joined = _SEP + _SEP.join(self.tokens) + _SEP

    def find(self, needle: tuple[str, ...]) -> list[int]:
        """The line of every place the token sequence ``needle`` occurs."""
        key = _SEP + _SEP.join(needle) + _SEP
        found: list[int] = []
        at = self.joined.find(key)
        while at >= 0:
            found.append(self.linenos[bisect.bisect_left(self.starts, at)])
            at = self.joined.find(key, at + 1)
        return found

    def __contains__(self, needle: tuple[str, ...]) -> bool:
        return (_SEP + _SEP.join(needle) + _SEP) in self.joined


def _decoded(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The contents of the JSON strings on each line (a notebook's sources and outputs, say), escapes decoded."""
    contents: list[tuple[int, str]] = []
    for lineno, text in lines:
        for literal in _JSON_STRING.findall(text):
            try:
                contents.append((lineno, json.loads(literal)))
            except ValueError:
                continue
    return contents


def _streams(text: str) -> list[_Stream]:
    """The ways a text is read: as it is, the contents of its JSON strings (and of the JSON strings in
    those, up to DECODE_DEPTH), and each of these with HTML entities (``&gt;``) decoded."""
    level = list(enumerate(text.splitlines(), start=1))
    readings: list[list[tuple[int, str]]] = []
    for _ in range(DECODE_DEPTH + 1):
        if not level:
            break
        readings.append(level)
        unescaped = [(lineno, html.unescape(line)) for lineno, line in level]
        if unescaped != level:
            readings.append(unescaped)
        level = _decoded(level)
    return [_Stream(reading) for reading in readings]


def _notebook_cells(path: Path) -> list[tuple[list[str], list[str]]]:
    """The stripped lines of each cell of a source notebook: (inside its solutions, shown to students anyway).

    Solutions are the lines inside ``### BEGIN SOLUTION`` regions of code cells and every line of a
    markdown answer cell (a solution cell nbgrader replaces whole, with a model answer in the source).
    """
    cells: list[tuple[list[str], list[str]]] = []
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        source = cell.get("source", "")
        lines = ("".join(source) if isinstance(source, list) else source).splitlines()
        secret: list[str] = []
        given: list[str] = []
        if cell.get("cell_type") == "markdown" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            secret += [line.strip() for line in lines if line.strip()]
        else:
            inside = False
            for line in lines:
                marker = line.strip()
                if marker in (BEGIN_MARKER, END_MARKER):
                    inside = marker == BEGIN_MARKER
                elif marker:
                    (secret if inside else given).append(marker)
        cells.append((secret, given))
    return cells


def _module_scopes(source: str) -> list[tuple[list[str], list[str]]]:
    """The stripped lines of each solution region of a module, with the lines of the function around it
    that are outside every region (what the skeleton shows there anyway: ``return dx`` after it)."""
    regions = _solution_regions(source)  # validates the markers
    lines = source.splitlines()
    try:
        functions = [node for node in ast.walk(syntax.parse(source))
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    except SyntaxError:
        functions = []
    inside, begins = [False] * len(lines), []
    current = False
    for index, line in enumerate(lines):
        if line.strip() == BEGIN_MARKER:
            current = True
            begins.append(index + 1)
        elif line.strip() == END_MARKER:
            current = False
        inside[index] = current or line.strip() == END_MARKER
    scopes: list[tuple[list[str], list[str]]] = []
    for region, begin in zip(regions, begins, strict=True):
        around = [node for node in functions if node.lineno <= begin <= (node.end_lineno or node.lineno)]
        first, last = (1, len(lines)) if not around else min(
            ((node.lineno, node.end_lineno or node.lineno) for node in around), key=lambda span: span[1] - span[0])
        given = [lines[i].strip() for i in range(first - 1, last) if not inside[i] and lines[i].strip()]
        scopes.append(([line.strip() for line in region if line.strip()], given))
    return scopes


def _scopes(solutions_dir: Path) -> list[tuple[list[str], list[str]]]:
    """Every solution of ``solutions_dir`` with the lines shown next to it anyway: one per region of
    ``*.py`` (with its function) and one per cell of ``*.ipynb``."""
    scopes: list[tuple[list[str], list[str]]] = []
    for path in sorted(Path(solutions_dir).glob("*.py")):
        scopes += _module_scopes(path.read_text(encoding="utf-8"))
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        scopes += _notebook_cells(path)
    return scopes


def solution_lines(solutions_dir: Path) -> set[str]:
    """Every non-blank stripped line found strictly inside a solution region of ``solutions_dir/*.py``,
    or inside a solution of one of its notebooks (``solutions_dir/*.ipynb``)."""
    return {line for secret, _ in _scopes(solutions_dir) for line in secret}


def _read_text(path: Path) -> str | None:
    """The file's text (UTF-8, else Latin-1, which decodes any bytes), or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _given_lines(solutions_dir: Path) -> set[str]:
    """Stripped lines the skeleton shows anyway: the solution modules with their regions stripped, and
    the notebooks' lines outside their solutions."""
    given: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("*.py")):
        given.update(line.strip() for line in strip_solutions(path.read_text(encoding="utf-8")).splitlines())
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        given.update(line for _, cell in _notebook_cells(path) for line in cell)
    return given


def _split(line: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A line's tokens before its first ``#`` (its code) and after it (its comment, markers dropped)."""
    tokens = _tokens(line)
    cut = tokens.index(_COMMENT) if _COMMENT in tokens else len(tokens)
    return tuple(tokens[:cut]), tuple(token for token in tokens[cut:] if token != _COMMENT)


def secret_needles(solutions_dir: Path) -> dict[tuple[str, ...], str]:
    """The token sequences find_leaks searches for, each with the solution line it comes from."""
    needles: dict[tuple[str, ...], str] = {}
    for secret, given in _scopes(solutions_dir):
        shown = [_split(line) for line in given]
        code_shown = {code for code, _ in shown}
        for line in secret:
            code, comment = _split(line)
            for needle, excused in ((code, code_shown), (comment, code_shown | {c for _, c in shown})):
                substantial = len(needle) >= MIN_TOKENS and any(t[0].isalnum() or t[0] == "_" for t in needle)
                if substantial and needle not in excused:
                    needles.setdefault(needle, line)
    return needles


def find_leaks(solutions_dir: Path, assignment_dir: Path) -> list[str]:
    """Report solution code found in the release, as ``"path:lineno: solution line (in: released line)"``.

    Every text file under ``assignment_dir`` is searched, whatever its kind (modules, tests, notebooks,
    data), and so is every file that still contains a solution marker. The search compares tokens, not
    lines:

    - Each line from inside a solution region (and each line of a notebook's model answer) becomes a
      sequence of tokens: names, numbers, operators and other characters; whitespace is dropped and
      ``'`` counts as ``"``. Its code (before a ``#``) and its comment are searched for separately.
    - Each released file is read as one stream of tokens in which the comment markers are dropped, so
      the sequence is found inside a comment (``# hint: dx = ...``), after other code on a line, with
      other spacing or quotes, inside a string or markdown, and split over lines. A file is also read
      as the contents of its JSON strings, escapes decoded (notebook cells, their outputs, data files;
      a JSON string inside one too), and with HTML entities decoded (``&gt;`` in an HTML output).
    - A match means a run of whole tokens, so ``x > 0`` is not found in ``max > 0``.

    Lines that give nothing away are not searched for, so the honest release raises no alarm: those
    of fewer than MIN_TOKENS tokens or without a name or number (``else:``, a closing bracket), and
    those the skeleton shows as code next to their region anyway: the same tokens on a line of the
    enclosing function outside its regions (``return dx`` after the region, say), or of the same
    notebook cell outside its solution. Only code there excuses a line: the same line in a hint
    comment, in another function or in a file that is not released (``mistakes.py``) does not. A
    leak is reported on the line where the solution line starts, once per line and solution line.
    Not found: a solution rewritten (renamed variables, reordered terms) or encoded (base64,
    compressed, an image).
    """
    needles = secret_needles(solutions_dir)
    leaks: list[str] = []
    for path in sorted(p for p in Path(assignment_dir).rglob("*") if p.is_file()):
        text = _read_text(path)
        if text is None:
            continue
        for marker in (BEGIN_MARKER.lstrip("# "), END_MARKER.lstrip("# ")):
            if marker in text:
                leaks.append(f"{path}: contains the marker {marker!r}")
        lines = text.splitlines()
        found = sorted({
            (lineno, secret)
            for stream in _streams(text)
            for needle, secret in needles.items()
            for lineno in stream.find(needle)
        })
        for lineno, secret in found:
            shown = lines[lineno - 1].strip()
            shown = shown if len(shown) <= 160 else shown[:157] + "..."
            leaks.append(f"{path}:{lineno}: {secret}" + ("" if shown == secret else f" (in: {shown})"))
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


def _rounded(value: Any) -> Any:
    """``value`` with every float rounded to INPUT_DIGITS significant digits; integer labels untouched."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return value
    if isinstance(value, np.ndarray):
        return _round(value, INPUT_DIGITS)
    return float(_round(value, INPUT_DIGITS))


def _check_kinks(function: GradedFunction, name: str, drawn: dict[str, Any], rounded: dict[str, Any]) -> None:
    """Refuse a public case whose rounded inputs lie within KINK_GAP of a kink.

    On a kink a correct backward may take either side's slope, so the reference's answer would not
    be the only right one. Rounding to INPUT_DIGITS moves a value by a relative 5e-7 at most, but a
    tie between short decimals (a hinge margin of exactly 0, say) is easy to hit, so the distance is
    checked rather than assumed. Inputs the generator put exactly on a kink on purpose (a ReLU input
    of 0, where the public tests accept any subgradient) stay there and are allowed.
    """
    before = kink_distance(function, drawn)
    for arg, after in kink_distance(function, rounded).items():
        on_purpose = (after == 0) & (before[arg] == 0)
        if np.any((after <= KINK_GAP) & ~on_purpose):
            raise ValueError(
                f"public case {function.name} {name!r}: {arg} lies within {KINK_GAP} of a kink "
                "after rounding; choose another PUBLIC_SEED"
            )


def _reference_outputs(module: ModuleType, function: GradedFunction, case: Case) -> dict[str, Any]:
    """Call the reference on ``case`` and name its outputs as the public tests read them."""
    args = [case.args[name] for name in function.args]
    if function.kind is Kind.LAYER:
        out, cache = getattr(module, function.forward)(*args)
        grads = getattr(module, function.name)(case.dout, cache)
        if len(function.grads) == 1:  # a backward with one gradient returns it bare, not in a tuple
            grads = (grads,)
        return {"out": out, **{name: grad for (name, _), grad in zip(function.grads, grads, strict=True)}}
    first, second = getattr(module, function.name)(*args)
    if function.kind is Kind.LOSS:
        return {"loss": first, function.grads[0][0]: second}
    return {"clipped": first, "total_norm": second}


def _public_case(module: ModuleType, function: GradedFunction, name: str, case: Case) -> dict[str, Any]:
    """One public case: the grader's case with its inputs rounded, and the reference outputs on those."""
    rounded = Case(case.label, _rounded(case.args), _rounded(case.dout))
    _check_kinks(function, name, case.args, rounded.args)
    inputs = rounded.args if rounded.dout is None else {**rounded.args, "dout": rounded.dout}
    return {"name": name, "inputs": inputs, "expected": _reference_outputs(module, function, rounded)}


def _arrays(case: Case) -> list[np.ndarray]:
    """Every array of ``case``: its arguments (inside a dict of gradients too) and its upstream gradient."""
    values = [*case.args.values(), case.dout]
    values += [item for value in values if isinstance(value, dict) for item in value.values()]
    return [value for value in values if isinstance(value, np.ndarray)]


def _sample(cases: list[Case]) -> Case:
    """The one case of a check that the public tests get: the smallest ordinary one.

    Ordinary means no axis of length one. A batch of one, a single feature or a single time step is
    an edge case the grader keeps: in a public test a one-row upstream gradient cannot show a sum
    over the wrong axis, nor a one-step sequence a slip in backprop through time. The smallest of
    the rest keeps ``public_cases.json`` small and a case short enough to read.
    """
    ordinary = [case for case in cases if all(1 not in array.shape for array in _arrays(case))] or cases
    return min(ordinary, key=lambda case: sum(array.size for array in _arrays(case)))


def _function_cases(module: ModuleType, function: GradedFunction) -> list[dict[str, Any]]:
    """The public cases of ``function``: one per check that is judged by the reference.

    Finite-difference and unchanged-input checks are left out: they have no reference outputs, and
    the public tests run their own versions of them on inputs hypothesis picks. Each case is named
    after its check: the id the rubric and the grader's results use too.
    """
    drawn = cases_for(function, PUBLIC_SEED)
    return [
        _public_case(module, function, check.id, _sample(drawn[check.id]))
        for check in function.checks
        if check.oracle is Oracle.REFERENCE
    ]


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
    # Inputs were rounded before the reference saw them, so encoding them again changes nothing;
    # outputs get rounded here.
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
    return f'{{"about": {dump(ABOUT)},\n"cases": {{\n' + ",\n".join(blocks) + f'\n}},\n"seed": {PUBLIC_SEED}}}\n'


def public_cases(solutions_dir: Path) -> str:
    """The text of ``public_cases.json``: fixed inputs and the reference outputs, as deterministic JSON.

    The inputs are the grader's own cases (``autograder.core.cases``) for PUBLIC_SEED, so the public tests
    and the grader draw from the same distributions; the grader's hidden cases come from fresh seeds.
    """
    modules = {name: _import_reference(Path(solutions_dir) / f"{name}.py") for name in MODULES}
    return _dumps({function.name: _function_cases(modules[function.module], function) for function in FUNCTIONS})


# ---------------------------------------------------------------------------------------------
# Release


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """The exact version of each package in ``lock`` (``name==version`` lines), by lower-case name."""
    versions = {}
    for number, raw in enumerate(lock.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, equals, version = line.partition("==")
        if not equals or not name.strip() or not version.strip():
            raise ValueError(f"{lock}, line {number}: {raw!r} is not name==version")
        versions[name.strip().lower()] = version.strip()
    return versions


def pinned(names: tuple[str, ...] | list[str], lock: Path = LOCK) -> list[str]:
    """``name==version`` for each of ``names``, at the version of ``lock``; ValueError naming any it lacks."""
    versions = locked_versions(lock)
    missing = [name for name in names if name.lower() not in versions]
    if missing:
        raise ValueError(f"{lock} pins no version of {', '.join(missing)}")
    return [f"{name}=={versions[name.lower()]}" for name in names]


def student_requirements(lock: Path = LOCK) -> str:
    """The release's requirements.txt: what the public tests need, pinned as the grader runs it."""
    return "".join(f"{line}\n" for line in pinned(STUDENT_PACKAGES, lock))


def release_dir(assignment_dir: Path, lang: str) -> Path:
    """Where the ``lang`` release goes, given the English one: ``assignment/backprop`` ->
    ``assignment-vi/backprop`` (see the module's docstring for why a sibling course folder)."""
    assignment_dir = Path(assignment_dir)
    if lang == language.SOURCE:
        return assignment_dir
    return assignment_dir.parent.parent / f"{assignment_dir.parent.name}-{lang}" / assignment_dir.name


def _catalog_files(catalogs: Path, lang: str) -> dict[str, bytes]:
    """The release's ``locale`` folder: every translated catalog, and the release's own language."""
    files = {}
    for other in language.LANGUAGES:
        if other != language.SOURCE:
            mo = f"{other}/LC_MESSAGES/{CATALOG_DOMAIN}.mo"
            files[mo] = (catalogs / mo).read_bytes()
    if lang != language.SOURCE:
        files[language.RELEASE_LANGUAGE_FILE] = f"{lang}\n".encode()
    return files


def release(solutions_dir: Path, assignment_dir: Path, lang: str = language.SOURCE) -> list[Path]:
    """Write the ``lang`` student release of ``solutions_dir`` into ``assignment_dir``; return the written paths.

    Writes the stripped student modules, ``gradcheck.py`` (a copy of ``autograder/core/numeric.py``),
    ``language.py`` (a copy of ``autograder/core/language.py``), the notebooks' helper ``nbcheck.py``,
    the public tests copied from ``solutions_dir/public_tests``, ``requirements.txt`` (from requirements.lock),
    ``public_cases.json`` and the compiled catalogs in ``locale/``. In another language than English the
    hints and stubs of the modules and the README are translated through the ``assignment`` catalog.
    Files of the kinds the release manages (``*.py``, ``*.json``, ``*.txt``, ``*.ini``) that it did not
    write are deleted, and so is anything in ``locale/`` it did not write; anything else in the folder
    (notebooks, data) is left alone.
    """
    solutions_dir, assignment_dir = Path(solutions_dir), Path(assignment_dir)
    translate = language.translation(CATALOG_DOMAIN, solutions_dir / LOCALE, lang).gettext
    # Everything is built before anything is written, so a broken solution leaves the old release intact.
    files = {
        name: localize.translate_hints(
            strip_solutions((solutions_dir / name).read_text(encoding="utf-8"), translate), translate
        ).encode("utf-8")
        for name in MODULE_FILES
    }
    files["gradcheck.py"] = Path(numeric.__file__).read_bytes()
    files[LANGUAGE_FILE] = Path(language.__file__).read_bytes()
    files.update({name: (solutions_dir / name).read_bytes() for name in NOTEBOOK_HELPERS
                  if (solutions_dir / name).is_file()})
    files.update({name: (solutions_dir / "public_tests" / name).read_bytes() for name in PUBLIC_TESTS})
    readme = (solutions_dir / "public_tests" / "README.md").read_text(encoding="utf-8")
    files["README.md"] = localize.translate_markdown(readme, translate).encode("utf-8")
    files[REQUIREMENTS_FILE] = student_requirements().encode("utf-8")
    files[CASES_FILE] = public_cases(solutions_dir).encode("utf-8")
    catalogs = {f"{LOCALE}/{name}": data for name, data in _catalog_files(solutions_dir / LOCALE, lang).items()}

    assignment_dir.mkdir(parents=True, exist_ok=True)
    for path in assignment_dir.iterdir():
        if path.is_file() and path.suffix in MANAGED_SUFFIXES and path.name not in files:
            path.unlink()
    if (assignment_dir / LOCALE).is_dir():
        for path in sorted((assignment_dir / LOCALE).rglob("*"), reverse=True):
            name = path.relative_to(assignment_dir).as_posix()
            if path.is_file() and name not in catalogs:
                path.unlink()
    written = []
    for name, data in {**files, **catalogs}.items():
        (assignment_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (assignment_dir / name).write_bytes(data)  # bytes: no newline translation on any platform
        written.append(assignment_dir / name)
    return written


def generate_notebooks(solutions_dir: Path, assignment_dir: Path) -> None:
    """Release the notebooks of ``solutions_dir`` with real ``nbgrader generate_assignment``.

    The course is the folder two levels above ``solutions_dir`` (where ``nbgrader_config.py`` lives);
    nbgrader records the notebooks in that course's gradebook, which autograding needs, and writes
    them with their solutions cleared into ``assignment_dir``, which must be the course's release
    folder. nbgrader empties that folder first; the config's hook writes the kit's part of the
    release right after. Raises RuntimeError when nbgrader fails.
    """
    solutions_dir, assignment_dir = Path(solutions_dir).resolve(), Path(assignment_dir).resolve()
    course = solutions_dir.parents[1]
    if not (course / "nbgrader_config.py").is_file():
        raise RuntimeError(f"no nbgrader_config.py in {course}: the notebooks are released from the course folder")
    if assignment_dir.parent.parent != course or assignment_dir.name != solutions_dir.name:
        raise RuntimeError(
            f"nbgrader releases {solutions_dir.name} into the course's release folder, not {assignment_dir}")
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", solutions_dir.name, "--force",
               f"--CourseDirectory.source_directory={solutions_dir.parent.name}",
               f"--CourseDirectory.release_directory={assignment_dir.parent.name}"]
    # nbgrader runs the ``alembic`` executable of its own environment, found on PATH.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    with tempfile.TemporaryDirectory(prefix="backprop-release-") as backup:
        if assignment_dir.is_dir():  # nbgrader deletes the release folder, also when it then fails
            shutil.copytree(assignment_dir, Path(backup) / "old")
        done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            if (Path(backup) / "old").is_dir():
                shutil.rmtree(assignment_dir, ignore_errors=True)
                shutil.copytree(Path(backup) / "old", assignment_dir)
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{done.stdout}{done.stderr}")


def translated_notebook(solutions_dir: Path, notebook: Path, lang: str) -> str:
    """The text of ``notebook`` (a source or a released one) in ``lang``: its untracked cells translated."""
    translate = language.translation(NOTEBOOK_DOMAIN, Path(solutions_dir) / LOCALE, lang).gettext
    return notebook_text.translate_notebook(notebook.read_text(encoding="utf-8"), translate)


def release_language(solutions_dir: Path, assignment_dir: Path, lang: str) -> list[Path]:
    """The ``lang`` release next to the English one in ``assignment_dir`` (already written), leak-checked.

    Its notebooks are the English release's as nbgrader wrote them, with the cells nbgrader does not
    track and the written questions' prompts translated (``notebook_text``): every cell nbgrader grades
    or runs keeps its English source, id and checksum, so a course grading the translated release
    grades exactly as the English one.
    """
    target = release_dir(assignment_dir, lang)
    written = release(solutions_dir, target, lang)
    for notebook in sorted(Path(assignment_dir).glob("*.ipynb")):
        (target / notebook.name).write_bytes(translated_notebook(solutions_dir, notebook, lang).encode("utf-8"))
        written.append(target / notebook.name)
    return written


def _check_leaks(solutions_dir: Path, assignment_dir: Path) -> None:
    leaks = find_leaks(solutions_dir, assignment_dir)
    if leaks:
        raise RuntimeError("solution lines found in the release:\n  " + "\n  ".join(leaks))


def release_course(solutions_dir: Path, assignment_dir: Path) -> list[Path]:
    """The whole release: nbgrader's for the notebooks (if any), then the kit's, then the leak check;
    then the same in every other language the kit speaks (``release_dir``).

    Returns the written paths; raises RuntimeError listing the leaks if any solution line got out.
    """
    solutions_dir, assignment_dir = Path(solutions_dir), Path(assignment_dir)
    notebooks = sorted(solutions_dir.glob("*.ipynb"))
    if notebooks:
        generate_notebooks(solutions_dir, assignment_dir)
    written = release(solutions_dir, assignment_dir)
    _check_leaks(solutions_dir, assignment_dir)
    written += [assignment_dir / path.name for path in notebooks]
    for lang in language.LANGUAGES:
        if lang != language.SOURCE:
            written += release_language(solutions_dir, assignment_dir, lang)
            _check_leaks(solutions_dir, release_dir(assignment_dir, lang))
    return written


def translated_release_hook(
    course_root: Path, lang: str, source: str = "solutions", release_folder: str = "assignment"
) -> Callable[[str, str, list[str]], None]:
    """A ``GenerateAssignment.post_convert_hook`` for a course that releases in ``lang`` (``nbgrader_config.py``'s
    ``COURSE_LANGUAGE``): nbgrader has written the notebooks into the ``lang`` release folder
    (``release_dir``); this writes the kit's ``lang`` release over what nbgrader copied there, translates
    the notebooks' untracked cells and fails on any leak. nbgrader only logs a failing hook, so the
    message also goes to stderr.
    """

    def hook(assignment: str, student: str, notebooks: list[str]) -> None:
        solutions = Path(course_root) / source / assignment
        released = release_dir(Path(course_root) / release_folder / assignment, lang)
        release(solutions, released, lang)
        # nbgrader's notebooks, in English: translate the cells it does not track.
        for notebook in sorted(released.glob("*.ipynb")):
            notebook.write_bytes(translated_notebook(solutions, notebook, lang).encode("utf-8"))
        try:
            _check_leaks(solutions, released)
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            raise

    return hook
