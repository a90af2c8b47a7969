"""Which code a graded name must run: the plain ``def`` the grader read in the student's source.

The source reader (``source_reader``) judges the ``def`` it sees. A module can still make the name run
something else while it is imported (``import layers as me; me.relu_backward = other``, a module
``__getattr__``, a frame's globals), so the child reports the name and first line of the code that
each graded name actually ran, and the grader checks them against the source here. A name defined
in any other way (a decorated ``def``, an assignment, an import) is left to the source reader,
which follows those.

The report comes from the child, so it is evidence against a submission, never for it: forging it
takes code objects, frames or the grader's own modules, which the source reader flags.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from typing import cast

from autograder.core import syntax


def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Statements that run at import time, outside any function or class body."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        statement = pending.pop(0)
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in BODIES:
            pending.extend(node for node in getattr(statement, field, []) if isinstance(node, ast.AST))
        if isinstance(statement, ast.Match):
            pending.extend(node for case in statement.cases for node in case.body)


BODIES = ("body", "orelse", "finalbody", "handlers")  # read as statements of their own (``_module_level``)


def _bound_names(statement: ast.AST) -> set[str]:
    """Names a module-level statement binds itself (a ``for`` target, an ``as`` name, an assignment),
    other than by a ``def``; the statements in its bodies are looked at one by one. A ``del`` binds
    nothing: what runs afterwards under that name must still be one of its defs."""
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, ast.Match):  # ``case name:`` binds name; the case bodies come one by one
        # cast: the condition below keeps only nodes whose name (or rest) is set.
        return {cast(str, node.name if not isinstance(node, ast.MatchMapping) else node.rest)
                for case in statement.cases for node in ast.walk(case.pattern)
                if (isinstance(node, ast.MatchAs | ast.MatchStar) and node.name)
                or (isinstance(node, ast.MatchMapping) and node.rest)}
    names = {statement.name} if isinstance(statement, ast.ExceptHandler) and statement.name else set()
    parts = [value for field, value in ast.iter_fields(statement) if field not in BODIES]
    for part in parts:
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, ast.AST):
                names |= {node.id for node in ast.walk(item)
                          if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return names


def plain_definitions(source: str, graded: Iterable[str]) -> dict[str, set[int]]:
    """Graded name -> the first lines of its module-level ``def`` statements, for every name that
    is bound only by undecorated ``def`` statements (an empty set for a name bound nowhere); names
    bound otherwise are left out (nothing to check).

    A source that does not parse gives {} (the module cannot be imported either).
    """
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    wanted = set(graded)
    lines: dict[str, set[int]] = {}
    other: set[str] = set()
    for statement in _module_level(tree):
        if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
            return {}  # ``from layers import *`` may bind any graded name: left to the source reader
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name in wanted:
            if statement.decorator_list:
                other.add(statement.name)
            else:
                lines.setdefault(statement.name, set()).add(statement.lineno)
            continue
        if isinstance(statement, ast.ClassDef) and statement.name in wanted:
            other.add(statement.name)
            continue
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            other |= _bound_names(statement) & wanted
    # A graded name with no binding at all that still runs came from a module ``__getattr__`` or the
    # like: no def of it is acceptable (an empty set).
    unbound: dict[str, set[int]] = {name: set() for name in wanted if name not in lines and name not in other}
    return unbound | {name: found for name, found in lines.items() if name not in other}


def replaced(expected: set[int], name: str, ran: dict | None, file: str) -> bool:
    """Whether the code a graded name ran (``{"name", "line", "file"}`` from the child) is not one of
    its ``def`` statements in ``file`` (the module's file name, e.g. ``layers.py``)."""
    return ran is not None and (ran.get("name") != name or ran.get("line") not in expected
                                or ran.get("file") != file)
