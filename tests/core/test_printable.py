"""``printable``'s table of hidden characters is Unicode's own: the kept table for this Python's Unicode
version holds exactly the characters its database puts in the hidden categories."""

from __future__ import annotations

import re
import unicodedata

import pytest

from autograder.core import printable


def _members(pattern: str) -> set[int]:
    compiled = re.compile("[" + pattern + "]")
    return {code for code in range(0x10000) if compiled.fullmatch(chr(code))}


def test_the_kept_table_is_this_pythons_unicode() -> None:
    kept = printable._HIDDEN_BMP.get(unicodedata.unidata_version)
    if kept is None:
        pytest.skip(f"no kept table for Unicode {unicodedata.unidata_version}: computed at import instead")
    assert _members(kept) == _members(printable.hidden_ranges())


def test_the_computed_table_is_every_hidden_character_but_newline_and_tab() -> None:
    expected = {code for code in range(0x10000) if unicodedata.category(chr(code)) in {"Cc", "Cf", "Cs", "Zl", "Zp"}}
    assert _members(printable.hidden_ranges()) == expected - {ord("\n"), ord("\t")}


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff", "\x9b", "\u2028", "\U000e0041", "\ud800"])
def test_hidden_characters_are_taken_out(hidden: str) -> None:
    assert printable.printable(f"a{hidden}b") == "ab"
