"""Reading sources side by side: no parse fails because another thread parsed at the same time.

grade-all grades two or more submissions at once in threads: the source reader parses each one,
and numpy parses the header of every array of every reply. On CPython 3.11 two overlapping parses
can fail with "AST constructor recursion depth mismatch" (python/cpython#106905), and a module
the reader cannot read scores 0 for its functions: a correct submission lost 33 points that way in
a batch. The harness below provokes the race; the
kit's ``syntax.parse`` must never lose it, and nothing in the package may parse any other way.
"""

from __future__ import annotations

import ast
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from autograder import DEFAULT_REFERENCE
from autograder.core import syntax
from autograder.sandbox import wire

PACKAGE = Path(syntax.__file__).resolve().parents[1]
SOURCE = (DEFAULT_REFERENCE / "layers.py").read_text() + (DEFAULT_REFERENCE / "rnn_layers.py").read_text()


class _Cycle:
    def __del__(self) -> None:  # Python code run by the collector, in whichever thread triggers it
        sum(range(50))


def _parse_side_by_side(parse: Callable[[str], ast.Module], parses: int = 100,
                        also: Callable[[], object] | None = None) -> list[str]:
    """The errors of three threads parsing (and running ``also`` between parses) while a fourth makes
    garbage with finalisers."""
    errors: list[str] = []

    def parsing() -> None:
        for _ in range(parses):
            try:
                parse(SOURCE)
                if also is not None:
                    also()
            except SystemError as error:
                errors.append(str(error))

    def littering() -> None:
        for _ in range(20000):
            cycle = _Cycle()
            cycle.me = cycle  # type: ignore[attr-defined]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        threads = [threading.Thread(target=parsing) for _ in range(3)] + [threading.Thread(target=littering)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_the_kits_parse_never_fails_beside_other_threads() -> None:
    for _ in range(5):
        assert _parse_side_by_side(syntax.parse) == []


def test_parses_and_reading_replies_never_overlap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The grader parses sources in some threads while it reads children's replies in others: reading
    a reply builds no syntax tree (numpy's array headers would, with ast.literal_eval), so the two
    never race for the interpreter's shared parser state."""
    reply = tmp_path / "reply.bin"
    wire.write(reply, {"grads": [np.ones((2, 3)) * k for k in range(40)]})
    with monkeypatch.context() as patched:
        patched.setattr(ast, "literal_eval", _no_syntax_tree)
        patched.setattr(ast, "parse", _no_syntax_tree)
        assert len(wire.read(reply)["grads"]) == 40
    for _ in range(3):
        assert _parse_side_by_side(syntax.parse, parses=40, also=lambda: wire.read(reply)) == []


def _no_syntax_tree(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("reading a reply built a syntax tree")


def test_the_harness_provokes_the_race_where_the_interpreter_has_it() -> None:
    """Without the lock the same harness makes ast.parse fail (on interpreters that have the bug)."""
    for _ in range(20):
        if _parse_side_by_side(ast.parse):
            return
    pytest.skip(f"Python {sys.version.split()[0]} never lost the race in 20 tries: it may not have the bug")


def test_nothing_in_the_package_parses_without_the_lock() -> None:
    direct = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parse"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ast"):
                direct.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert direct == ["core/syntax.py:" + str(_line_of_the_one_parse())]


def _line_of_the_one_parse() -> int:
    lines = (PACKAGE / "core" / "syntax.py").read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if "ast.parse(" in line and "return" in line)


def test_a_module_is_parsed_once_and_its_tree_shared() -> None:
    assert len(SOURCE) >= syntax.KEPT_FROM
    assert syntax.parse(SOURCE) is syntax.parse(SOURCE)
    assert ast.dump(syntax.parse(SOURCE)) == ast.dump(ast.parse(SOURCE))


def test_a_short_text_is_parsed_anew_and_pushes_no_module_out() -> None:
    kept = syntax.parse(SOURCE)
    for number in range(2 * syntax.KEPT_TREES):
        assert syntax.parse(f"f({number})") is not syntax.parse(f"f({number})")
    assert syntax.parse(SOURCE) is kept


def test_a_text_that_does_not_parse_raises_every_time() -> None:
    broken = SOURCE + "\ndef (:\n"
    for _ in range(2):
        with pytest.raises(SyntaxError):
            syntax.parse(broken)
