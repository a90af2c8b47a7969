"""The notebooks' answer cells, scored outside the student's kernel: trusted like the layer cells.

An answer test cell (``test_<name>``, locked, restored by nbgrader from the course's source) has one
form, which ``parse_test`` checks:

    with nbcheck.answer("<name>"):
        <name> = <expression>                                   # setup, course code
        nbcheck.expect_close("<label>", <student call>, <expected>[, tol])
        nbcheck.expect_none("<label>", <student call>)

``TrustedAnswerGrades`` runs after ``Execute`` and, for each such cell, sends a sandboxed child
(``answer_child``) the student's answer cells of that notebook and the ``<student call>``
expressions. The child computes them and sends back plain values; the grader computes
``<expected>`` itself and compares with the course's own ``nbcheck`` (loaded from the reference
folder), so the student sees the message they see at home. Nothing the kernel did, and nothing the
answer code patches (numpy, ``nbcheck``, builtins), reaches the comparison. An answer is run from
its own notebook's answer cells, with ``numpy`` as ``np``: a helper the student defined elsewhere is
not there (the message says so).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Unicode

from autograder.core import syntax
from autograder.core.language import SOURCE, chosen, translation
from autograder.core.modules import load_module
from autograder.core.text import T_, Text, speaker
from autograder.course.release import CATALOG_DOMAIN, LOCALE
from autograder.integrations.nbgrader.answer_child import NOT_A_VALUE, WORDS, reply_name
from autograder.integrations.nbgrader.sanitize import clean_text
from autograder.outputs.feedback import exception_line
from autograder.sandbox import forks, host, replies, runner, wire
from autograder.sandbox.exits import exit_reason
from autograder.sandbox.scratch import Scratch, folder_usage

ANSWER_CHILD = "autograder.integrations.nbgrader.answer_child"  # its entry point, run with python -m
CHECKS = ("expect_close", "expect_none")
MAX_TEXT = replies.MAX_TEXT


class AnswerTestError(ValueError):
    """A test cell not in the form the trusted scorer reads: the course's mistake, not the student's."""


@dataclass(frozen=True)
class Check:
    kind: str  # "expect_close" or "expect_none"
    label: str
    call: str  # the student's expression, evaluated in the child
    expected: str  # course code, evaluated by the grader ("" for expect_none)
    tolerance: str  # course code, or ""


@dataclass(frozen=True)
class AnswerTest:
    name: str
    setup: tuple[str, ...]
    checks: tuple[Check, ...]


def _check(node: ast.stmt) -> Check:
    call = node.value if isinstance(node, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in CHECKS
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "nbcheck" and not call.keywords
            and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        raise AnswerTestError(f"line {node.lineno}: not nbcheck.expect_close(...) or nbcheck.expect_none(...)")
    kind, args = call.func.attr, call.args
    if len(args) not in {"expect_none": (2,), "expect_close": (3, 4)}[kind]:
        raise AnswerTestError(f"line {node.lineno}: nbcheck.{kind} with {len(args)} arguments")
    sources = [ast.unparse(arg) for arg in args[1:]]
    return Check(kind, call.args[0].value, sources[0], sources[1] if len(sources) > 1 else "",
                 sources[2] if len(sources) > 2 else "")


def parse_test(source: str) -> AnswerTest:
    """The answer test in a test cell's source; ``AnswerTestError`` if it is not in the trusted form."""
    body = syntax.parse(source).body
    if not (len(body) == 1 and isinstance(body[0], ast.With) and len(body[0].items) == 1):
        raise AnswerTestError("the cell must be a single `with nbcheck.answer(NAME):` block")
    opened = body[0].items[0].context_expr
    if not (isinstance(opened, ast.Call) and ast.unparse(opened.func) == "nbcheck.answer" and len(opened.args) == 1
            and isinstance(opened.args[0], ast.Constant) and isinstance(opened.args[0].value, str)):
        raise AnswerTestError("the cell must open `with nbcheck.answer(NAME):`")
    setup, checks = [], []
    for node in body[0].body:
        if isinstance(node, ast.Assign) and all(isinstance(target, ast.Name) for target in node.targets):
            setup.append(ast.unparse(node))
        else:
            checks.append(_check(node))
    if not checks:
        raise AnswerTestError("the cell checks nothing")
    return AnswerTest(opened.args[0].value, tuple(setup), tuple(checks))


def load_nbcheck(reference: Path, lang: str = SOURCE) -> ModuleType:
    """The course's own ``nbcheck`` module, from the reference folder (trusted code), wording its
    failures in ``lang`` from the release's catalog beside it (``course.release``)."""
    try:
        nbcheck = load_module(reference / "nbcheck.py", "backprop_nbcheck")
    except (ImportError, FileNotFoundError):
        raise AnswerTestError(f"no nbcheck.py in {reference}") from None
    if lang != SOURCE:  # in the source folder it finds no language.py beside it, so it speaks English
        try:
            catalog = translation(CATALOG_DOMAIN, reference / LOCALE, lang)
        except OSError:  # a TA's setup, not a student's: say which file, and what makes it
            missing = reference / LOCALE / lang / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.mo"
            raise AnswerTestError(f"nbcheck's messages cannot be worded in {lang!r}: {missing} is missing; compile "
                                  "the catalogs with `python -m autograder translations` (make translations), then "
                                  "`make release`") from None
        vars(nbcheck)["_"] = catalog.gettext  # its gettext, by name
    return nbcheck


# ---------------------------------------------------------------------------------------------
# Running the student's answers


def _request(test: AnswerTest, answer_cells: list[str]) -> dict[str, Any]:
    return {"cells": answer_cells, "setup": list(test.setup), "calls": [check.call for check in test.checks]}


def run_answers(requests: dict[str, dict[str, Any]], seconds_per_answer: float) -> dict[str, dict[str, Any]]:
    """Run every answer's calls in one sandboxed child, each answer in a fresh fork of it.

    Returns grade id -> {"values": [value per call], "error": str}; a value is {"array": ...},
    {"none": True} or {"error": "..."}. Whatever went wrong comes back as an ``error``.
    """
    cage = host.current()
    out: dict[str, dict[str, Any]] = {}
    budget = seconds_per_answer * len(requests) + 5
    with cage.identity() as who, Scratch(who.owner) as scratch:
        scratch.write_request({"answers": requests})
        policy = runner.child_policy(cage, scratch, host.LIMITS.cpu_seconds(budget))
        env = runner.child_environment()
        env["TMPDIR"] = env["HOME"] = str(scratch.work)
        arguments = [str(scratch.root), json.dumps(policy), str(seconds_per_answer)]
        # What answer cells print is never shown nor kept: it goes nowhere (/dev/null, in both ways of starting).
        process: subprocess.Popen | forks.ServedChild | None = forks.start("answers", arguments, env, scratch.work,
                                                                           {}, cage, who)
        if process is None:
            process = subprocess.Popen([*who.prefix, sys.executable, "-P", "-s", "-m", ANSWER_CHILD, *arguments],
                                       cwd=scratch.work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env=env, start_new_session=True, **who.popen_user)
        deadline, code, problem = time.monotonic() + budget, None, T_("it ran for too long and was stopped")
        try:
            while code is None and time.monotonic() < deadline:
                time.sleep(runner.FOLDER_CHECK_SECONDS)
                code = process.poll()
                size, entries = folder_usage(scratch.work, host.LIMITS.folder_entries, process.pid)
                if size > host.LIMITS.folder_bytes or entries > host.LIMITS.folder_entries:
                    problem = T_("it wrote over {size} or too many files",
                                 size=wire.megabytes(host.LIMITS.folder_bytes))
                    break
        finally:
            forks.stop(process)
        for grade_id, request in requests.items():
            out[grade_id] = _reply(scratch.work / reply_name(grade_id), len(request["calls"]),
                                   problem if code is None else exit_reason(code))
    return out


def _reply(path: Path, count: int, otherwise: str) -> dict[str, Any]:
    """Read one answer's reply, trusting nothing in it."""
    if not os.path.lexists(path):
        return {"values": [], "error": otherwise}
    try:
        message = wire.read(path)
        error = replies.plain_text(message.get("error", "")) if isinstance(message, dict) else ""
        values = message["values"] if isinstance(message, dict) else None
        if not isinstance(values, list) or (not error and len(values) != count):
            raise replies.MalformedError("values")
        cleaned: list[dict[str, Any]] = []
        for value in values:
            if not isinstance(value, dict):
                raise replies.MalformedError("value")
            if "array" in value:
                cleaned.append({"array": replies.plain_array(value["array"])})
            elif value.get("none") is True:
                cleaned.append({"none": True})
            else:
                cleaned.append({"error": replies.plain_text(value["error"]) if "error" in value
                                else T_("no value came back")})
        return {"values": cleaned, "error": error}
    except (wire.WireError, replies.MalformedError, KeyError, TypeError, ValueError, OverflowError, MemoryError):
        return {"values": [], "error": T_("its reply could not be read")}


# ---------------------------------------------------------------------------------------------
# Judging: the grader's own numpy and the course's own nbcheck


def judge(test: AnswerTest, reply: dict[str, Any], nbcheck: ModuleType) -> str:
    """"" if every check passes, else the first failure, as nbcheck words it for the student."""
    if reply["error"]:
        return T_("{name}: {error}", name=test.name, error=said(reply["error"]))
    namespace: dict[str, Any] = {"np": np, "nbcheck": nbcheck}
    for statement in test.setup:
        exec(statement, namespace)  # course code from the locked cell
    for check, value in zip(test.checks, reply["values"], strict=True):
        if "error" in value:
            return T_("{name}: {error}", name=check.label, error=said(value["error"]))
        got = None if "none" in value else value["array"]
        try:
            if check.kind == "expect_none":
                nbcheck.expect_none(check.label, got)
            else:
                expected = eval(check.expected, namespace)
                tolerance = [eval(check.tolerance, namespace)] if check.tolerance else []
                if got is None:
                    return T_("{name}: {error}", name=check.label, error=Text(NOT_A_VALUE, {"kind": "None"}))
                nbcheck.expect_close(check.label, got, expected, *tolerance)
        except nbcheck.WrongAnswer as wrong:
            return str(wrong)
    return ""


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"(\{\w+\})", template)
    return re.compile("".join(f"(?P<{piece[1:-1]}>.*)" if re.fullmatch(r"\{\w+\}", piece) else re.escape(piece)
                              for piece in pieces), re.S)


_WORDS = [(template, _pattern(template)) for template in WORDS]


def said(error: str) -> str:
    """What the answer child (or the grader) said of an answer, as a Text where it is one of the child's
    templates (``answer_child.WORDS``), so that it reads in the student's language; else as it came."""
    if isinstance(error, Text):
        return error
    for template, pattern in _WORDS:
        match = pattern.fullmatch(error)
        if match is not None:  # an exception's "(line N: ...)" is the grader's words too
            return Text(template, {name: exception_line(value) if name == "error" else value
                                   for name, value in match.groupdict().items()})
    return error


def answer_cells_before(nb: NotebookNode, index: int) -> list[str]:
    """The sources of the notebook's answer (solution) code cells above cell ``index``."""
    return [cell.source for cell in nb.cells[:index]
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")]


def is_answer_test(cell: NotebookNode) -> bool:
    metadata = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "code" and bool(metadata.get("grade")) and not metadata.get("solution")
            and str(metadata.get("grade_id", "")).startswith("test_"))


class TrustedAnswerGrades(NbGraderPreprocessor):
    """Score every answer test cell from the student's answer code run in a sandboxed child."""

    seconds_per_answer = Float(10.0, help="Wall time one answer's checks may take.").tag(config=True)
    language = Unicode("", help="The language of the grader's words in the cells: en or vi (README, Languages); "
                       "empty: BACKPROP_LANG, else the locale, else en; nbcheck's failures too."
                       ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        tests = {index: parse_test(cell.source) for index, cell in enumerate(nb.cells) if is_answer_test(cell)}
        if not tests:
            return nb, resources
        coursedir = CourseDirectory(parent=self)
        reference = Path(coursedir.format_path(coursedir.source_directory, ".", resources["nbgrader"]["assignment"]))
        lang = chosen(self.language or None)
        nbcheck = load_nbcheck(reference, lang)
        ids = {index: nb.cells[index].metadata["nbgrader"]["grade_id"] for index in tests}
        got = run_answers({ids[i]: _request(test, answer_cells_before(nb, i)) for i, test in tests.items()},
                          self.seconds_per_answer)
        say = speaker(lang)
        for index, test in tests.items():
            cell = nb.cells[index]
            points = float(cell.metadata["nbgrader"]["points"])
            try:
                failure = say(judge(test, got[ids[index]], nbcheck))
            except Exception as error:  # values that nbcheck could not even compare
                failure = say(T_("{name}: its values could not be compared ({error})", name=test.name,
                                 error=type(error).__name__))
            # The student's own text (an exception message) reaches the cell: one clean line of it.
            failure = clean_text(failure).splitlines()[0][:MAX_TEXT] if failure.strip() else ""
            passed = "✓ " + say(T_("{name} passes these tests", name=test.name))
            verdict = (f"✗ {failure}" if failure else passed) + "\n  " + say(T_(
                "({score:g} / {points:g} points, checked by the course's grader from your answer cells; what this "
                "cell printed in your notebook is not used)", score=0 if failure else points, points=points))
            cell.outputs = [new_output("stream", name="stdout", text=verdict + "\n"),
                            new_output("execute_result", data={"text/plain": repr(0.0 if failure else points)},
                                       execution_count=cell.get("execution_count"))]
        return nb, resources
