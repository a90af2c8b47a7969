"""Text that came from student code, made safe to show: nothing in it can act on a terminal or a page.

Student code chooses what it prints, its exceptions' messages, the keys it returns and its files'
names, and all of them reach reports a TA reads in a terminal, a spreadsheet or a browser. Escape
sequences there clear the screen and draw a score, carriage returns and backspaces overwrite a line,
bidirectional and zero-width characters make text read differently from what it is. ``printable``
takes all of that out; what remains shows exactly as it is stored.
"""

from __future__ import annotations

import re
import unicodedata

# CSI and OSC escape sequences whole (so their parameters go too), then any other escape with the one
# character it applies to.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.?")
# Every control (C0, DEL, C1), format (bidirectional controls, zero-width characters, soft hyphen, byte
# order mark), surrogate and line or paragraph separator character of the Basic Multilingual Plane,
# from Unicode's own categories, and the few format characters beyond it (Unicode 15: Kaithi and
# Egyptian format controls, shorthand format controls, musical symbol formatting, language tags).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_BEYOND_BMP = "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001-\U000e007f"
# Those of the BMP, as ranges, for the Unicode versions whose table is known (tests/core/test_printable.py
# checks it against unicodedata): computing them costs every grader and child 10 ms at start-up.
_HIDDEN_BMP = {
    "14.0.0": "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
              "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb",
}


def hidden_ranges() -> str:
    """The BMP's hidden characters (but newline and tab) as the ranges of a regular expression's class,
    from this Python's own Unicode database."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code)) in _HIDDEN_CATEGORIES and chr(code) not in "\n\t":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(re.escape(chr(first)) + (f"-{re.escape(chr(last))}" if last > first else "")
                   for first, last in ranges)


_HIDDEN = re.compile("[" + (_HIDDEN_BMP.get(unicodedata.unidata_version) or hidden_ranges()) + _BEYOND_BMP + "]")
_LINE_BREAKS = re.compile(r"[\n\t]+")


def printable(text: str, multiline: bool = True) -> str:
    """``text`` without escape sequences or hidden characters; newlines and tabs stay when ``multiline``
    (a single-line field, such as an error message or a key, gets one space for each run of them)."""
    text = _HIDDEN.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))
    return text if multiline else _LINE_BREAKS.sub(" ", text)


FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows rather than runs: a leading ``= + - @`` (after any
    spaces) would make it a formula (``=HYPERLINK(...)``), so such a cell gets a leading apostrophe,
    as OWASP advises."""
    text = printable(text, multiline=False)
    return f"'{text}" if text.lstrip().startswith(FORMULA_STARTS) else text
