"""The notebooks' text in another language: narrative markdown and the sentences code cells print.

The cells nbgrader grades or runs keep their English source byte for byte (a locked setup cell, a
grade cell, an answer cell), so their checksums, grade ids and what autograde restores and runs are
the English course's, and a translated course grades exactly as the English one. A written
question's prompt (a locked markdown cell that is neither graded nor an answer) is translated like
the narrative, and its checksum is computed again for its new text, as ``nbgrader generate_assignment``
computes it, so ``nbgrader validate`` accepts the translated release; at autograde nbgrader puts the
English prompt back (``OverwriteCells``), which grades nothing. In the others, a markdown cell is translated
block by block (``localize.blocks``: code blocks kept), and a code cell's one-line string literals
that are prose ("training loss", an f-string printed as a sentence) are translated inside their
quotes; the code, its names and its numbers are untouched, and every occurrence of one literal gets
the same translation, so a dict key and its lookups still agree. The ``notebooks`` catalog
(``translations.NOTEBOOKS``) holds these texts; the release writes the translated notebooks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from autograder.course.localize import Extracted, Translate, blocks, translate_markdown

# A one-line string literal: its prefix, quote and body (escapes kept). Triple-quoted strings are
# docstrings or long texts that no notebook prints; they are left alone.
LITERAL = re.compile(
    r"""(?P<prefix>(?<!\w)[rRfF]{1,2}|)(?P<quote>["'])(?P<body>(?:\\.|(?!(?P=quote)).)*?)(?P=quote)"""
)
_FIELD = re.compile(r"\{[^{}]*\}")
_PROSE = re.compile(r"[A-Za-z]{2,}\b.+?\b[A-Za-z]{2,}")  # two words: "training set", "Huber: w, b after", not "C3"


def is_prompt(cell: dict[str, Any]) -> bool:
    """A written question's prompt: a locked markdown cell that nbgrader neither grades nor takes answers in."""
    tracked = cell.get("metadata", {}).get("nbgrader") or {}
    return (cell.get("cell_type") == "markdown" and bool(tracked.get("locked"))
            and not tracked.get("grade") and not tracked.get("solution"))


def translatable(cell: dict[str, Any]) -> bool:
    """A cell whose text may differ between languages: one nbgrader does not track, or a question's prompt."""
    return not cell.get("metadata", {}).get("nbgrader") or is_prompt(cell)


def nbgrader_checksum(cell: dict[str, Any]) -> str:
    """The checksum ``nbgrader generate_assignment`` writes for ``cell`` (nbgrader's own function)."""
    import nbformat
    from nbgrader.utils import compute_checksum

    return str(compute_checksum(nbformat.from_dict({**cell, "source": _source(cell)})))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _code_part(line: str) -> str:
    """``line`` up to a comment: the first ``#`` outside a string literal (comments are not printed)."""
    at = 0
    while at < len(line):
        if line[at] == "#":
            return line[:at]
        match = LITERAL.match(line, at)
        at = match.end() if match and match.start() == at else at + 1
    return line


def prose_literals(code: str) -> Iterator[tuple[int, str]]:
    """``(line number, body)`` of each one-line string literal of ``code`` that reads as prose."""
    for lineno, line in enumerate(code.splitlines(), start=1):
        if '"""' in line or "'''" in line:
            continue
        for match in LITERAL.finditer(_code_part(line)):
            if _PROSE.search(_FIELD.sub(" ", match.group("body"))):
                yield lineno, match.group("body")


def translate_code(code: str, translate: Translate) -> str:
    """``code`` with the body of every prose literal replaced by its translation, quotes and prefix kept."""
    lines = code.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if '"""' in line or "'''" in line:
            continue
        head = _code_part(line)

        def swap(match: re.Match[str]) -> str:
            body = match.group("body")
            if not _PROSE.search(_FIELD.sub(" ", body)):
                return match.group(0)
            return f"{match.group('prefix')}{match.group('quote')}{translate(body)}{match.group('quote')}"

        lines[index] = LITERAL.sub(swap, head) + line[len(head):]
    return "".join(lines)


def _as_lines(text: str) -> list[str]:
    """A notebook source as nbformat writes it: a list of lines, each but the last with its newline."""
    return text.splitlines(keepends=True)


def translate_notebook(text: str, translate: Translate) -> str:
    """The JSON of a notebook with its untracked cells translated, written as nbformat writes it."""
    notebook = json.loads(text)
    for cell in notebook.get("cells", []):
        if not translatable(cell):
            continue
        source = _source(cell)
        if cell.get("cell_type") == "markdown":
            cell["source"] = _as_lines(translate_markdown(source, translate))
        elif cell.get("cell_type") == "code":
            cell["source"] = _as_lines(translate_code(source, translate))
        tracked = cell.get("metadata", {}).get("nbgrader", {})
        if "checksum" in tracked and _source(cell) != source:  # a released prompt: its checksum follows its text
            tracked["checksum"] = nbgrader_checksum(cell)
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def extract_notebook(fileobj: IO[bytes], keywords: Any, comment_tags: Iterable[str], options: Any) -> Extracted:
    """Babel extraction: every block of an untracked markdown cell and every prose literal of an untracked
    code cell (its line number is the cell's position, counted from 1)."""
    notebook = json.loads(fileobj.read().decode("utf-8"))
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if not translatable(cell):
            continue
        source = _source(cell)
        if cell.get("cell_type") == "markdown":
            for _, block, is_text in blocks(source):
                if is_text:
                    yield number, "", block, ["A block of a notebook's markdown: keep `code`, names and numbers."]
        elif cell.get("cell_type") == "code":
            for _, body in prose_literals(source):
                yield number, "", body, ["A string a notebook's code prints or plots: keep every {field} as it is."]
