"""The release's texts in another language: what is translated in a module's hints and in markdown.

One source, English: the release reads the English hints and paragraphs, looks each one up in the
``assignment`` catalog and writes the translation in its place. The extraction methods below find
exactly the same units in the same sources, so every text the release translates has a catalog entry
(``autograder/course/translations.py`` registers them; ``make translations`` keeps the catalogs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

Translate = Callable[[str], str]
"""``gettext``: English in, the translation (or the English, where there is none) out."""

HINT = re.compile(r"^(?P<indent>\s*)# Hint: (?P<text>.*?)\s*$")
FENCE = "```"

# Messages the release writes into the stubs (see release.strip_solutions); they live here, not as
# marked strings in the package, so that the grader's own catalog never collects them.
TODO_POINTER = "write this part; see the hint above"
DEFAULT_HINT = "compute what the docstring lists under Returns; each gradient has the shape of its input"
NOT_IMPLEMENTED = "{name} is not implemented yet"
HINT_LABEL = "Hint"  # the word before a hint's text: ``# Hint: ...``
STUB_MESSAGES = (TODO_POINTER, DEFAULT_HINT, NOT_IMPLEMENTED, HINT_LABEL)

# What Babel unpacks from an extraction method: (lineno, funcname, message, comments); Babel's own hints
# describe another order, so the tuples are left untyped here.
Extracted = Iterator[tuple[Any, ...]]


def hints(source: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every ``# Hint: text`` line of a module."""
    for lineno, line in enumerate(source.splitlines(), start=1):
        match = HINT.match(line)
        if match:
            yield lineno, match.group("text")


def translate_hints(source: str, translate: Translate) -> str:
    """``source`` with every ``# Hint:`` line translated, its word ``Hint`` too (its indentation kept)."""
    lines = source.splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = HINT.match(line)
        if match:
            ending = line[len(line.rstrip("\r\n")):]
            label, text = translate(HINT_LABEL), translate(match.group("text"))
            lines[index] = f"{match.group('indent')}# {label}: {text}{ending}"
    return "".join(lines)


def blocks(text: str) -> list[tuple[int, str, bool]]:
    """A markdown text cut into blocks: ``(first line number, block, translatable)``.

    A block is a run of non-blank lines (a paragraph, a heading, a list item and its continuation
    lines) or a fenced code block, which is kept as it is. Joining the blocks with the blank lines
    between them gives back the text.
    """
    found: list[tuple[int, str, bool]] = []
    current: list[str] = []
    start, fenced = 0, False

    def close(translatable: bool) -> None:
        if current:
            found.append((start, "\n".join(current), translatable))
            current.clear()

    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(FENCE):
            if not fenced:
                close(True)
                start = lineno
            current.append(line)
            fenced = not fenced
            if not fenced:
                close(False)
        elif fenced:
            current.append(line)
        elif not line.strip():
            close(True)
        else:
            # A list item starts a block of its own, so a message is one item, not a whole list.
            if line.lstrip().startswith("- ") and current:
                close(True)
            if not current:
                start = lineno
            current.append(line)
    close(not fenced)
    return found


def translate_markdown(text: str, translate: Translate) -> str:
    """``text`` with every translatable block replaced by its translation; blank lines and code kept."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    taken = 0
    for start, block, translatable in blocks(text):
        count = block.count("\n") + 1
        out += lines[taken:start - 1]  # the blank lines before the block
        ending = lines[start - 1 + count - 1][len(lines[start - 1 + count - 1].rstrip("\r\n")):]
        out.append((translate(block) if translatable else block) + ending)
        taken = start - 1 + count
    out += lines[taken:]
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Babel extraction methods: (fileobj, keywords, comment_tags, options) -> (lineno, funcname, message,
# comments)


def _text(fileobj: IO[bytes]) -> str:
    return fileobj.read().decode("utf-8")


def extract_hints(fileobj: IO[bytes], keywords: Any, comment_tags: Iterable[str], options: Any) -> Extracted:
    """Every ``# Hint:`` line of a solution module (its solution regions never reach the catalog)."""
    for lineno, text in hints(_text(fileobj)):
        yield lineno, "", text, ["A hint above a TODO of the student's module; keep code and names as they are."]


def extract_markdown(fileobj: IO[bytes], keywords: Any, comment_tags: Iterable[str], options: Any) -> Extracted:
    """Every translatable block of a markdown file: its paragraphs, headings and list items."""
    for lineno, block, translatable in blocks(_text(fileobj)):
        if translatable:
            yield lineno, "", block, ["A block of the student README (markdown): keep `code`, paths and commands."]


def extract_stubs(fileobj: IO[bytes], keywords: Any, comment_tags: Iterable[str], options: Any) -> Extracted:
    """The messages the release writes into every stub (this module's STUB_MESSAGES)."""
    source = _text(fileobj)
    for message in STUB_MESSAGES:
        lineno = next((n for n, line in enumerate(source.splitlines(), 1) if repr(message)[1:-1] in line), 0)
        yield lineno, "", message, ["Written into the released module at each TODO of a function."]
