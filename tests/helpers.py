"""Build submission folders for the kit's tests: the reference with some functions replaced."""

from __future__ import annotations

import ast
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from autograder import DEFAULT_REFERENCE
from autograder.outputs import html_report
from autograder.outputs.report import WIDTH
from autograder.sandbox import host

CORPUS = Path(__file__).parent / "corpus"
ADVERSARIAL = Path(__file__).parent / "adversarial"  # hostile submissions, one attack a file


# The environment of a grader whose children have no code guard (``sandbox.code_guard``; the
# ``past_the_code_guard`` fixture does the same in-process), which then grades only as opted in to less: the
# walls under the guard are tried with ctypes, which the guard refuses first.
PAST_THE_CODE_GUARD = {host.CODE_GUARD_SWITCH: "0", host.UNSAFE_OPT_IN: "1"}


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


# ---------------------------------------------------------------------------------------------
# HTML the kit wrote, and nothing else

PAGE_TAGS = {"html", "head", "meta", "title", "body", "main", "header"}
KIT_TAGS = {"style", "div", "section", "h1", "h2", "h3", "p", "small", "ul", "li", "a", "span", "code", "pre",
            "figure", "figcaption", "svg", "defs", "pattern", "rect"}
_NUMBER = r"-?\d+(\.\d+)?"
KIT_ATTRIBUTES = {  # every attribute the kit writes, and the values it may have
    "lang": "en", "charset": "utf-8", "name": "viewport", "content": "width=device-width, initial-scale=1",
    "class": r"bk[a-z0-9 -]*", "id": r"bk-(f\d+|hatch)", "href": r"#bk-f\d+", "xmlns": "http://www.w3.org/2000/svg",
    "viewbox": rf"0 0 {_NUMBER} {_NUMBER}", "width": _NUMBER, "height": _NUMBER, "x": _NUMBER, "y": _NUMBER,
    "stroke-width": _NUMBER, "role": "img", "fill": r"#[0-9a-f]{6}|none|url\(#bk-hatch\)", "stroke": r"#[0-9a-f]{6}",
    "patternunits": "userSpaceOnUse", "patterntransform": r"rotate\(45\)",
    "aria-label": r"[^\n]*",  # the one attribute with text in it (a tensor's name), escaped
}


class KitMarkup(HTMLParser):
    """What a page is made of, as a browser's parser sees it: its tags, attributes, styles and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self.other: list[str] = []  # comments, declarations, processing instructions
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value if value is not None else "") for name, value in attrs]
        self._tag = tag

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""

    def handle_data(self, data: str) -> None:
        (self.styles if self._tag == "style" else self.text).append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        if decl != "DOCTYPE html":
            self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"declaration {data!r}")


def assert_kit_html(page: str, fragment: bool = False) -> KitMarkup:
    """``page`` holds only the tags and attributes the HTML report writes (each attribute with a value of
    the kit's own form), its own style and no script, and text without hidden characters. Returns what
    was parsed, so that a test can check the text it shows."""
    markup = KitMarkup()
    markup.feed(page)
    markup.close()
    allowed = KIT_TAGS if fragment else KIT_TAGS | PAGE_TAGS
    assert set(markup.tags) <= allowed, f"tags the kit did not write: {set(markup.tags) - allowed}"
    strange = [(name, value) for name, value in markup.attributes
               if name not in KIT_ATTRIBUTES or not re.fullmatch(KIT_ATTRIBUTES[name], value)]
    assert strange == [], f"attributes the kit did not write: {strange[:5]}"
    styles = {html_report.CSS} if fragment else {html_report.CSS + html_report.PAGE_CSS}
    assert set(markup.styles) <= styles, f"a style the kit did not write: {markup.styles}"
    assert markup.other == [], markup.other
    assert hidden_characters(page) == [], f"hidden characters {hidden_characters(page)[:5]}"
    assert not re.search(r"<\s*/?\s*script", page, re.IGNORECASE), "a script tag"
    return markup
