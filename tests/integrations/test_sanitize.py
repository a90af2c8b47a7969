"""What a student's own markdown and raw cells may put in the pages the TA and the student read
(``integrations/nbgrader/sanitize.py``): text, and links to the web or an e-mail address, nothing that runs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")
import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from autograder.integrations.nbgrader.sanitize import SAFE_SCHEMES, SanitizeOutputs, escape_markup

LINKS = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")

HOSTILE = [
    "[see my derivation](javascript:alert(document.domain))",
    "[c](  JaVaScRiPt:alert(1))",
    "[c](jav&#x61;script:alert(1))",
    "[c](jav&#97;script&colon;alert(1))",
    "[c](javascript\\:alert(1))",
    "[c](<javascript:alert(1)>)",
    '[c](javascript:alert(1) "a title")',
    "[c][r]\n\n[r]: javascript:alert(1)",
    "[c][r]\n\n[r]:\n   javascript:alert(1)",
    "[c](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![i](vbscript:msgbox(1))",
    "[c](file:///etc/passwd)",
]
HONEST = ["[the paper](https://arxiv.org/abs/1502.03167)", "[below](#derivation)", "[me](mailto:ada@uni.edu)",
          "[notes](notes.md)"]


def _schemes(page: str) -> list[str]:
    """The scheme of every link and picture of ``page`` ("" for one without), as a browser reads it."""
    found = []
    for target in LINKS.findall(page):
        url = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(target)).lower()
        scheme = SCHEME.match(url)
        found.append(scheme.group(1) if scheme else "")
    return found


@pytest.mark.parametrize("markdown", HOSTILE)
def test_a_link_that_would_run_or_open_something_leads_nowhere(markdown: str) -> None:
    assert set(_schemes(markdown2html_mistune(markdown))) - {""} - SAFE_SCHEMES, "the attack no longer links"
    assert set(_schemes(markdown2html_mistune(escape_markup(markdown)))) <= {""} | SAFE_SCHEMES


@pytest.mark.parametrize("markdown", HONEST)
def test_links_to_the_web_mail_and_the_page_are_kept(markdown: str) -> None:
    assert escape_markup(markdown) == markdown


def test_a_raw_cell_shows_as_the_text_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no course here: nothing is the course's own
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_raw_cell("<table><tr><td><b>Score: 116 / 116</b></td></tr></table>",
                                 metadata={"raw_mimetype": "text/html"}),
        nbformat.v4.new_raw_cell("<a href='https://phish.example'>grades</a>", metadata={"format": "text/html"})])
    exporter = HTMLExporter()
    assert "<b>Score: 116 / 116</b>" in exporter.from_notebook_node(notebook)[0], "the attack no longer shows"
    cleaned, _ = SanitizeOutputs().preprocess(notebook, {"nbgrader": {"assignment": "backprop", "notebook": "x"}})
    page = exporter.from_notebook_node(cleaned)[0]
    assert "<b>Score" not in page and "phish.example'>" not in page and "<table><tr>" not in page
