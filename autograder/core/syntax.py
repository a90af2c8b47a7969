"""Parsing Python source into a syntax tree, safe from many threads at once.

CPython 3.11 keeps the depth counter of its AST constructor in state that every thread shares
(python/cpython#106905): two parses that overlap (one thread switched out mid-parse, another
parsing meanwhile) fail with ``SystemError: AST constructor recursion depth mismatch``. In the
grader the source reader parses in grade-all's and Dask's threads, while other threads read
children's replies (``sandbox.wire``, which parses no Python: its table is read by numpy, its
structure is JSON). A module the reader fails on is never passed unread, so the student would lose
its points. Every parse in the kit takes the one lock ``PARSER``.

A grade reads each module several times (is it Python at all, which ``def`` is each graded function,
does it measure its gradient, the class probe's fingerprints): the last few trees are kept, so that
one text is parsed once. A kept tree is shared: nothing in the kit changes one.
"""

from __future__ import annotations

import ast
import functools
import threading

PARSER = threading.Lock()  # held by whatever builds a syntax tree in this process
KEPT_TREES = 8  # a submission's two modules, for each of grade-all's threads and a few more
KEPT_FROM = 1000  # characters: a shorter text (a string the reader reads as code) is parsed each time, and
# does not push a module's tree out


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``, one thread at a time (SyntaxError, ValueError, RecursionError as ast's); the
    tree may be shared with every other parse of the same text, so read it, never change it."""
    return _kept(source) if len(source) >= KEPT_FROM else _parsed(source)


def _parsed(source: str) -> ast.Module:
    with PARSER:
        return ast.parse(source)


_kept = functools.lru_cache(maxsize=KEPT_TREES)(_parsed)  # an error is not kept: a bad text raises anew
