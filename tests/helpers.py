"""Build submission folders for the kit's tests: the reference with some functions replaced."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

from autograder import DEFAULT_REFERENCE
from autograder.outputs.report import WIDTH

CORPUS = Path(__file__).parent / "corpus"
ADVERSARIAL = Path(__file__).parent / "adversarial"  # hostile submissions, one attack a file


def reference_source(module: str) -> str:
    """The reference module with its solution markers removed (the code stays)."""
    lines = (DEFAULT_REFERENCE / f"{module}.py").read_text().splitlines()
    return "\n".join(line for line in lines if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def corpus_entry(path: Path) -> dict[str, str]:
    """The module-level string constants of a corpus file (TARGET, EXPECT, ...)."""
    tree = ast.parse(path.read_text())
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)}


def build_submission(folder: Path, *replacements: Path) -> Path:
    """Write layers.py and rnn_layers.py into ``folder``: the reference, then each replacement's
    definitions appended to its TARGET module (later definitions win)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {module: reference_source(module) for module in ("layers", "rnn_layers")}
    for path in replacements:
        sources[corpus_entry(path)["TARGET"]] += "\n\n" + path.read_text()
    for module, source in sources.items():
        (folder / f"{module}.py").write_text(source + "\n")
    return folder


def scores_by_function(grade) -> dict[str, tuple[float, float]]:
    """function name -> (points, max points)."""
    totals: dict[str, tuple[float, float]] = {}
    for result in grade.results:
        got, most = totals.get(result.verdict.function.name, (0.0, 0.0))
        totals[result.verdict.function.name] = (got + result.points, most + result.max_points)
    return totals


HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # controls, format (bidi, zero-width), surrogates, separators


def hidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that a terminal or a browser may act on or not show: every Unicode
    control, format, surrogate or separator character but newline and tab."""
    return [f"U+{ord(c):04X}" for c in text if c not in "\n\t" and unicodedata.category(c) in HIDDEN_CATEGORIES]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [*_strings(key), *_strings(item)]]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def assert_printable(report: str, *documents) -> None:
    """A text report and JSON-like documents show nothing but text: no escape or hidden character, no
    printed line of the report wider than a terminal, and only the report's own line starts with
    "Score:" (in the documents, none)."""
    for text in [report, *(text for document in documents for text in _strings(document))]:
        assert hidden_characters(text) == [], f"hidden characters {hidden_characters(text)[:5]} in {text[:300]!r}"
    scores = [line for line in report.splitlines() if line.lstrip().startswith("Score")]
    assert len(scores) == (1 if report else 0), f"forged score lines: {scores}"
    for text in (text for document in documents for text in _strings(document)):
        assert not any(line.lstrip().startswith("Score") for line in text.splitlines()), text[:300]
    wide = [line for line in report.splitlines() if line.startswith("  | ") and len(line) > WIDTH]
    assert wide == [], f"printed lines wider than {WIDTH}: {wide[:2]}"


def flagging_reference(folder: Path) -> Path:
    """A copy of the reference whose rubric only flags a backward that measures its gradient.

    Tests of the sandbox grade probes and attacks that use ctypes, inspect or builtins, which the
    source reader (``provenance``) rightly takes for code it cannot read and scores 0 under the
    default rubric; these tests are about what the sandbox lets such code do, so the flag must not
    decide the score for them.
    """
    import shutil

    shutil.copytree(DEFAULT_REFERENCE, folder)
    rubric = folder / "rubric.toml"
    text = rubric.read_text()
    assert 'measured_backward = "zero"' in text
    rubric.write_text(text.replace('measured_backward = "zero"', 'measured_backward = "flag"'))
    return folder
