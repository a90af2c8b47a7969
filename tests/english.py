"""Find English sentences in a text that should have none: the output of a translated run.

What others wrote is taken out first, because a translation cannot change it: pytest's own frame (its
rules, progress line, test ids and summary counts), the text of an exception raised by numpy or Python
inside the student's code, and everything that is code: `backticked` and quoted text, file paths,
identifiers, numbers and shapes. What is left should be prose in the target language; any English
function word found in it ("the", "your", "is", "expected" …) is an English sentence left behind.
"""

from __future__ import annotations

import re

# Words that nearly every English sentence of the kit uses and no Vietnamese one does.
FUNCTION_WORDS = frozenset({
    "the", "your", "you", "is", "are", "was", "be", "been", "of", "for", "from", "with", "where",
    "when", "which", "what", "should", "must", "expected", "got", "not", "yet", "write", "written", "it",
    "its", "this", "that", "these", "looks", "like", "did", "does", "and", "or", "has", "have", "elements",
    "element", "case", "line", "passes", "fails", "failed", "off", "times", "seconds", "here",
    # and the kit's commonest other words ("in", "so" and "to" are Vietnamese words too: left out)
    "instead", "new", "modified", "compute", "array", "arrays", "value", "values", "run", "again", "first",
    "every", "each", "one", "all", "zeros", "sign", "wrong", "right", "but", "then", "than", "because",
})

# pytest's frame: a rule with a title (==== FAILURES ====, ____ test_x[case] ____, ---- title ----), the
# progress line (..F.s [100%]) and the counts (3 failed, 40 passed in 0.61s).
_PYTEST_LINES = (
    re.compile(r"^[=_-]{3,}.*[=_-]{3,}$"),
    re.compile(r"^[.FsExX]+\s+\[\s*\d+%\]$"),
    re.compile(r"^(\d+ [^,]+)(, \d+ [^,]+)* in [\d.]+s( \([\d:]+\))?$"),
)
# An exception's own text, as the public tests quote it: "ValueError: <numpy's words> (layers.py, ...".
_EXCEPTION_TEXT = re.compile(r"\b\w*(?:Error|Exception|Warning): .*?(?= \(\w+\.py, |, \S+ \w+\.py|$)")
_CODE = (
    re.compile(r"`[^`]*`"),  # `code`
    re.compile(r"'[^'\n]*'|\"[^\"\n]*\""),  # 'quoted' and "quoted"
    re.compile(r"\S*[/\\]\S*"),  # paths, and a / b in formulas
    re.compile(r"\b\w*[_.\d]\w*\b"),  # identifiers with _ or ., file names, numbers
    re.compile(r"\b[A-Za-z]\b"),  # one-letter names: x, w, b, N
)


def english_words(text: str) -> list[str]:
    """The English function words left in ``text`` once pytest's frame, library text and code are out."""
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if any(pattern.match(line) for pattern in _PYTEST_LINES):
            continue
        line = _EXCEPTION_TEXT.sub(" ", line)
        for pattern in _CODE:
            line = pattern.sub(" ", line)
        # Whole words of letters, Vietnamese ones included: "toàn" is not "to".
        found += [word for word in re.findall(r"[^\W\d_]+", line) if word.lower() in FUNCTION_WORDS]
    return found
