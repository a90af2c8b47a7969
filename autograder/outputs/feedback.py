"""One feedback model for every surface: what a grade says, for a student or for the TA.

The text report, results.json (Gradescope), the nbgrader cell, the HTML report all render a
``Feedback``; none of them reads a ``Grade`` itself, so the same submission shows the same facts on
each: every finding of every failed case, a crash as its exception
and the line of the student's file, the student's other function that probably caused it, and the
known mistakes it matches.

A ``Feedback`` is in one language (``build_feedback(grade, audience, language)``): the grade's messages are
``core.text.Text`` values, said here in that language, and each surface says its own words with
``Feedback.say``. The same grade gives the same scores and findings in every language.

The two audiences differ only in what may be shown:

- ``Audience.TA`` keeps everything: the seed, the submission's folder, the sandbox, every value of
  every hidden case, what the code printed.
- ``Audience.STUDENT`` describes hidden cases by their kind, never their values. Everything the
  student's process sent is untrusted (the child runs their code and may write any reply), so a text
  from it reaches a student only where it cannot carry a hidden value (``student_text``): exception
  and function names from a fixed vocabulary, a line only if it is a line of their own file
  (``grade`` checks), a message only if it is one of numpy's and Python's own, word for word once its
  numbers and quoted words are masked; shapes and names the kit knows. Text the grader wrote itself
  (a time limit) is shown whole; what the code printed, not at all. What is left is bounded: which
  cases fail, counts, the worst index, the pattern of wrong elements (coarse: off by at least PALE of
  the largest expected value). The code chooses those, so it can spell its inputs with them; grade-all
  and nbgrader draw a submission's hidden cases from its own content (``seeds``), so what one
  submission spells is of cases no other submission meets.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.core.language import N_
from autograder.core.numeric import NOT_FINITE, RIGHT, UNCHECKED
from autograder.core.printable import printable
from autograder.core.spec import FUNCTIONS, MODULES, GradedFunction, Kind, Oracle
from autograder.core.text import ENGLISH, T_, Say, Text, Tn_, joined, speaker
from autograder.core.walls import said_again
from autograder.grading.grade import Grade, Result
from autograder.grading.verdicts import IN_PLACE_HINTS, OUTPUT, Finding, shape_hidden
from autograder.outputs.student_text import KNOWN_FUNCTIONS, exception_name, kit_message, library_message

LINES_SHOWN = 6  # distinct findings a check's text shows (each after the cases it was found in)
NAMES_SHOWN = 3  # cases named before "and N more"
AND = N_(" and ")  # between the names of functions
PALE = 1e-3  # student pictures: an element off by less than this share of the largest |expected| shows as right


class Audience(enum.Enum):
    """Who reads the feedback."""

    STUDENT = "student"
    TA = "ta"


@dataclass(frozen=True)
class Picture:
    """Which elements of one tensor are wrong in one case, laid out as rows (the first axis) by columns
    (the other axes, flattened): ``pattern`` (int8, ``numeric``'s RIGHT, OFF, FLIPPED, NOT_FINITE,
    UNCHECKED) and ``size`` (float in [0, 1], |got - expected| over the largest |expected|), both of
    shape (rows, columns); ``worst`` is the index of the worst element in the tensor and
    ``worst_cell`` its (row, column) here."""

    tensor: str
    shape: tuple[int, ...]
    pattern: np.ndarray
    size: np.ndarray
    worst: tuple[int, ...]
    worst_cell: tuple[int, int]


@dataclass(frozen=True)
class CaseFeedback:
    """One failed case: its name (or, for a student, its kind), every finding, and their pictures."""

    case: str
    findings: tuple[str, ...]
    pictures: tuple[Picture, ...] = ()


@dataclass(frozen=True)
class CheckFeedback:
    """One check of one function."""

    title: str
    points: float
    max_points: float
    passed: bool
    cases: tuple[CaseFeedback, ...] = ()  # every failed case
    mistakes: tuple[str, ...] = ()  # known mistakes the wrong answers match
    check: str = ""  # the check's id (the title is in the reader's language)

    def lines(self, say: Say = ENGLISH) -> list[str]:
        """The check's feedback as lines of text (empty when it passed): each distinct finding once, after
        the cases it was found in, at most LINES_SHOWN of them; then the known mistakes. ``say``: the
        feedback's language (``Feedback.say``); the findings and mistakes are in it already."""
        where: dict[str, list[str]] = {}
        for case in self.cases:
            for finding in case.findings:
                where.setdefault(finding, []).append(case.case)
        lines = [say(T_("{cases}: {finding}", cases=_cases(names), finding=finding))
                 for finding, names in list(where.items())[:LINES_SHOWN]]
        if len(where) > LINES_SHOWN:
            lines.append(say(T_("... and {count} more finding(s) of the same check", count=len(where) - LINES_SHOWN)))
        lines.extend(say(T_("looks like: {mistake}", mistake=mistake)) for mistake in self.mistakes)
        return lines


def _cases(names: list[str]) -> Text:
    """'case "a"', 'cases "a" and "b"', 'cases "a", "b", "c" and 4 more'."""
    quoted = [f'"{name}"' for name in names[:NAMES_SHOWN]]
    if len(names) == 1:
        return T_("case {name}", name=quoted[0])
    rest = len(names) - NAMES_SHOWN
    if rest > 0:
        return T_("cases {names} and {count} more", names=", ".join(quoted), count=rest)
    return T_("cases {names} and {last}", names=", ".join(quoted[:-1]), last=quoted[-1])


@dataclass(frozen=True)
class FunctionFeedback:
    """One graded function: its score, a one-line ``summary`` when one line says it all (not written
    yet, measured, its file could not be imported), else its checks; ``notes`` name the likely cause
    in another function of the student's."""

    name: str
    module: str
    file: str
    points: float
    max_points: float
    summary: str = ""
    checks: tuple[CheckFeedback, ...] = ()
    notes: tuple[str, ...] = ()
    measured: bool = False  # its summary says why it scores 0, even where its module could not be imported

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


@dataclass(frozen=True)
class Feedback:
    """What one grade says to one audience."""

    audience: Audience
    score: float
    max_score: float
    facts: tuple[str, ...]  # lines about the grading itself: versions; for the TA also seed, folder, sandbox
    module_problems: dict[str, str]
    functions: tuple[FunctionFeedback, ...]
    printed: dict[str, str]  # what each module printed (the TA's only: it may show hidden values)
    seconds: float = 0.0
    language: str = "en"  # every text above is in it; a surface says its own words in it too (``say``)

    def say(self, message: str) -> str:
        """``message`` (a ``Text``, or a marked plain string) in the feedback's language."""
        return speaker(self.language)(message)

    def of(self, name: str) -> FunctionFeedback:
        return next(function for function in self.functions if function.name == name)

    def in_module(self, module: str) -> list[FunctionFeedback]:
        return [function for function in self.functions if function.module == module]


# ---------------------------------------------------------------------------------------------
# What may reach a student

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_OWN_WORDS = re.compile(r"\b(?:raise|assert|exec|eval|compile|exit|quit)\b")  # a message the line itself words


def _shape_words(text: str) -> str:
    """A kit-made case label with its sizes and values masked: its kind ("x of shape (N, #, #)"; a 0 or a
    1 says what kind of case it is: "batch of 1", "inputs exactly 0")."""
    return _NUMBER.sub(lambda number: number.group() if number.group() in ("0", "1") else "#", text)


def _crash_line(crash: dict[str, Any], audience: Audience, fallback: str) -> str:
    if audience is Audience.TA:
        return _ta_crash_line(crash, fallback)
    kind = exception_name(crash["type"])
    if crash["line"] < 1:  # not a line of the student's files: nothing of it can be shown
        return T_("{kind} raised outside the lines of your files", kind=_exception(kind))
    where = T_("line {line} of {file}", line=crash["line"], file=crash["file"])
    if crash["function"] in KNOWN_FUNCTIONS:
        where = T_("{where} (in {function})", where=where, function=crash["function"])
    text = T_("{kind} on {where}: {code}", kind=_exception(kind), where=where, code=crash["code"])
    message = "" if _OWN_WORDS.search(crash["code"]) else library_message(crash["type"], crash["message"])
    # numpy's and Python's own message stays as they wrote it: it is what a search engine knows
    return T_("{text} -- {message}", text=text, message=message) if message else text


def _ta_crash_line(crash: dict[str, Any], fallback: str) -> str:
    """The TA's crash line as the child wrote it ("ValueError: ... (line 279: dx = ...)"), its own words said in
    the reader's language where the line is of that plain form; Python's and numpy's message stays as it is."""
    if crash["line"] < 1:
        return exception_line(fallback)
    where = T_("(line {line}: {code})", line=crash["line"], code=crash["code"])
    said = T_("{kind}: {message} {where}", kind=crash["type"], message=crash["message"], where=where)
    return said if said == fallback else exception_line(fallback)


_TA_ERROR = re.compile(r"(?P<kind>\w+): (?P<message>.*) \(line (?P<line>\d+): (?P<code>.*)\)", re.S)


_WALL = re.compile(r"your code (?P<explained>.*?)(?: \(line (?P<line>\d+): (?P<code>.*)\))? \[(?P<kind>\w+)\]", re.S)


def exception_line(text: str) -> str:
    """"ValueError: ... (line 3: x = f(y))" or "your code ran out of memory (line 3: ...) [MemoryError]" as the
    child wrote it, the grader's words in it said in the reader's language (Python's and numpy's as they are)."""
    wall, found = _WALL.fullmatch(text), _TA_ERROR.fullmatch(text)
    if wall is not None:
        explained = said_again(wall["explained"])
        if not isinstance(explained, Text):  # not a wall's sentence: the line stays as the child wrote it
            return text
        said = T_("your code {explained} [{kind}]", explained=explained, kind=wall["kind"]) if wall["line"] is None \
            else T_("your code {explained} {where} [{kind}]", explained=explained, kind=wall["kind"],
                    where=T_("(line {line}: {code})", line=wall["line"], code=wall["code"]))
    elif found is not None:
        said = T_("{kind}: {message} {where}", kind=found["kind"], message=found["message"],
                  where=T_("(line {line}: {code})", line=found["line"], code=found["code"]))
    else:
        return text
    return said if said == text else text


def _exception(kind: str) -> str:
    return T_("an exception") if kind == "an exception" else kind


def _shape_line(finding: Finding, audience: Audience) -> str:
    if audience is Audience.TA:
        return finding.message
    # The student's shape is theirs to choose, so it could carry a value: it is shown only when it has at
    # most one axis more than expected, each of a size the case itself has (or their product).
    expected = re.search(r"expected (\([^)]*\))", finding.shape)
    got = re.search(r"has shape (\([^)]*\))", finding.shape)
    if expected is None or got is None:
        return kit_message(finding.shape)
    wanted = [int(size) for size in re.findall(r"\d+", expected.group(1))]
    sizes = [int(size) for size in re.findall(r"\d+", got.group(1))]
    allowed = {*wanted, 1, int(np.prod(wanted)) if wanted else 1}
    if len(sizes) > len(wanted) + 1 or not set(sizes) <= allowed:
        if isinstance(finding.shape, Text):
            return shape_hidden(finding.shape)
        return finding.shape.replace(f"has shape {got.group(1)}", "has a shape unlike that", 1)
    return finding.shape


def _tensor_name(finding: Finding, function: GradedFunction) -> str:
    if finding.tensor != OUTPUT:
        return finding.tensor
    return {Kind.LAYER: T_("your {forward}'s output", forward=function.forward), Kind.LOSS: T_("your loss"),
            Kind.CLIP: "total_norm"}[function.kind]


def _mismatch_line(finding: Finding, function: GradedFunction, oracle: Oracle) -> str:
    mismatch = finding.mismatch
    assert mismatch is not None  # only called for findings that compare values
    name = _tensor_name(finding, function)
    not_finite = int(np.count_nonzero(mismatch.pattern == NOT_FINITE)) if mismatch.pattern is not None else 0
    if finding.tensor == OUTPUT and oracle is Oracle.FINITE_DIFFERENCES:
        return T_("{name} differs from the given code's; finite differences are taken of the given code, "
                  "so keep it as it was", name=name)
    if mismatch.checked <= 1:
        return T_("{name} is NaN or inf", name=name) if not_finite else T_("{name} is wrong", name=name)
    where = f"{finding.tensor}[{', '.join(map(str, mismatch.index))}]" if mismatch.index else finding.tensor
    count = T_("all {bad}", bad=mismatch.bad) if mismatch.bad == mismatch.checked else \
        T_("{bad} of {checked}", bad=mismatch.bad, checked=mismatch.checked)
    nan = "" if not not_finite else T_(" (all NaN or inf)") if not_finite == mismatch.bad else \
        T_(" ({count} of them NaN or inf)", count=not_finite)
    if oracle is Oracle.FINITE_DIFFERENCES:
        return T_("{name} disagrees with finite differences in {count} elements{nan}; the worst is {where}",
                  name=name, count=count, nan=nan, where=where)
    return T_("{name} is wrong in {count} elements{nan}; the worst is {where}",
              name=name, count=count, nan=nan, where=where)


_CHANGED = frozenset({"dout", "cache", "the input dict", "returned arrays share memory with the input"} |
                     {name for function in FUNCTIONS for name in function.args})
# What the grader names in place of an input: words, said in the reader's language
_CHANGED_WORDS = {"the input dict": T_("the input dict"),
                  "returned arrays share memory with the input": T_("returned arrays share memory with the input")}


def finding_line(finding: Finding, function: GradedFunction, oracle: Oracle, audience: Audience) -> str:
    """One finding as the audience reads it (a ``Text`` where the kit wrote it)."""
    if finding.crash is not None:
        return _crash_line(finding.crash, audience, finding.message)
    if audience is Audience.TA or finding.grader_text:
        return finding.message
    if finding.shape:
        return _shape_line(finding, audience)
    if finding.mismatch is not None:
        return _mismatch_line(finding, function, oracle)
    changed = re.fullmatch(r"modified (.+?) in place: (.*)", finding.message)
    if changed:  # the names come from the student's process: only the kit's own, each once
        names = sorted({name if name in _CHANGED else "an input" for name in changed.group(1).split(", ")})
        hints = [hint for name, hint in IN_PLACE_HINTS.items() if name in names]
        words = [_CHANGED_WORDS.get(name, T_("an input") if name == "an input" else name) for name in names]
        return T_("modified {names} in place: {hints}", names=joined(", ", words),
                  hints=joined("; ", hints) if hints else T_("compute new arrays instead"))
    keys = re.fullmatch(r"clipped has keys .*; expected (\[.*\]), the keys of grads", finding.message)
    if keys:  # the student's keys could be anything; the case's own are shown
        return T_("clipped does not have the keys of grads: expected {keys}", keys=keys.group(1))
    return kit_message(finding.message)


def picture(finding: Finding, audience: Audience) -> Picture | None:
    """The picture of a finding's wrong elements, coarse for a student (PALE); None without one."""
    mismatch = finding.mismatch
    if mismatch is None or mismatch.pattern is None or mismatch.size is None or mismatch.pattern.ndim == 0:
        return None
    shape = tuple(int(side) for side in mismatch.pattern.shape)
    rows = shape[0] if len(shape) > 1 else 1
    pattern = mismatch.pattern.reshape(rows, -1).copy()
    size = mismatch.size.reshape(rows, -1).copy()
    if audience is Audience.STUDENT:  # coarse: no element's exact right-or-wrong (see the module's docstring)
        pale = (size < PALE) & (pattern != NOT_FINITE) & (pattern != UNCHECKED)
        pattern[pale], size[pale] = RIGHT, 0.0
    flat = int(np.ravel_multi_index(mismatch.index, shape)) if mismatch.index else 0
    cell = (flat // pattern.shape[1], flat % pattern.shape[1])
    return Picture(finding.tensor, shape, pattern, size, mismatch.index, cell)


# ---------------------------------------------------------------------------------------------
# Building it


def _case_name(label: str, audience: Audience, say: Say = ENGLISH) -> str:
    """A case's name in the reader's language: a student's is its kind; a TA's is the whole label, said as
    its kind is with the kind's masked sizes and values put back in order."""
    if audience is not Audience.TA:
        return say(_shape_words(label))
    kind = _shape_words(label)
    said = say(kind)
    numbers = [n.group() for n in _NUMBER.finditer(label) if n.group() not in ("0", "1")]
    if said == kind or said.count("#") != len(numbers):
        return say(label)
    values = iter(numbers)
    return re.sub("#", lambda _: next(values), said)


def check_feedback(result: Result, audience: Audience, say: Say = ENGLISH) -> CheckFeedback:
    """One check's feedback: every finding of every failed case, and the known mistakes they match, in the
    language of ``say``."""
    verdict = result.verdict
    check = CheckFeedback(say(verdict.check.title), result.points, result.max_points, verdict.passed,
                          check=verdict.check.id)
    if verdict.passed or verdict.not_implemented or verdict.measured:
        return check
    by_case: dict[str, list[Finding]] = {}
    for finding in verdict.findings:
        by_case.setdefault(finding.case, []).append(finding)
    cases = []
    for label, findings in by_case.items():
        lines = dict.fromkeys(say(finding_line(f, verdict.function, verdict.check.oracle, audience))
                              for f in findings)
        pictures = [drawn for drawn in (picture(f, audience) for f in findings) if drawn is not None]
        # a student's case kind is one of case_kinds.KINDS, said in the reader's language; a TA's label is whole
        cases.append(CaseFeedback(_case_name(label, audience, say), tuple(lines), tuple(pictures)))
    mistakes = dict.fromkeys(say(explanation) for finding in verdict.findings for _, explanation in finding.mistakes)
    return CheckFeedback(check.title, check.points, check.max_points, False, tuple(cases), tuple(mistakes),
                         check.check)


def not_implemented_line(function: GradedFunction) -> Text:
    """What a student reads about a function that still raises NotImplementedError."""
    return T_("not implemented yet (it raises NotImplementedError): write it in {file}", file=function.file)


def dependency_note(function: GradedFunction, grade: Grade) -> str:
    """When ``function`` fails and so do functions it usually calls (its ``depends_on``): say to fix those
    first. Empty otherwise."""
    failed = {r.verdict.function.name for r in grade.results if not r.verdict.passed}
    callees = [name for name in function.depends_on if name in failed]
    if function.name not in failed or not callees:
        return ""
    # English says "fails ... that" of one function and "fail ... those" of several: a plural by count
    return Tn_("{name} probably calls {callees}, which fails above: fix that first.",
               "{name} probably calls {callees}, which fail above: fix those first.", len(callees),
               name=function.name, callees=joined(AND, callees))


def cause_notes(function: GradedFunction, results: list[Result], grade: Grade, audience: Audience) -> list[str]:
    """Where the failures of ``function`` probably come from another function of the student's."""
    notes = [dependency_note(function, grade)]
    findings = [finding for result in results for finding in result.verdict.findings]
    raised_in = {finding.crash["function"] for finding in findings
                 if finding.crash is not None and finding.crash["line"] > 0}
    for name in sorted(raised_in - {function.name, ""}):
        if name == function.forward:
            notes.append(T_("the error is raised in your {name}, the forward pass, before {function} runs: "
                            "the forward is given code, so compare yours with it", name=name, function=function.name))
        elif name in KNOWN_FUNCTIONS or audience is Audience.TA:
            notes.append(T_("the error is raised in your {name}, which {function} calls: the line above is "
                            "in {name}", name=name, function=function.name))
        else:
            notes.append(T_("the error is raised in another function of yours, which {function} calls",
                            function=function.name))
    causes = dict.fromkeys(finding.cause for finding in findings if finding.cause)
    if audience is Audience.TA:
        notes.extend(T_("probable cause: {cause}", cause=cause) for cause in causes)
    elif causes:
        notes.append(T_("probable cause: your {forward} returns a cache laid out unlike the given code's, "
                        "and {function} receives that cache: compare your {forward} with the given code",
                        forward=function.forward, function=function.name))
    return [note for note in dict.fromkeys(notes) if note]


def function_feedback(function: GradedFunction, grade: Grade, audience: Audience,
                      say: Say = ENGLISH) -> FunctionFeedback:
    """Everything about one graded function, in the language of ``say``."""
    results = [r for r in grade.results if r.verdict.function.name == function.name]
    points, most = sum(r.points for r in results), sum(r.max_points for r in results)
    summary = ""
    measured = bool(results) and all(r.verdict.measured for r in results)
    if measured:  # the cause, also where its module then failed to import (the code guard refused it)
        summary = say(results[0].verdict.measured)
    elif function.module in grade.module_problems:
        summary = say(T_("{problem}. Its functions score 0.", problem=module_problem(grade, function.module, audience)))
    elif results and all(r.verdict.not_implemented for r in results):
        summary = say(not_implemented_line(function))
    if summary or points == most:
        return FunctionFeedback(function.name, function.module, function.file, points, most, summary,
                                measured=measured)
    return FunctionFeedback(function.name, function.module, function.file, points, most, "",
                            tuple(check_feedback(r, audience, say) for r in results),
                            tuple(say(note) for note in cause_notes(function, results, grade, audience)))


def module_problem(grade: Grade, module: str, audience: Audience) -> str:
    """Why ``module`` could not be imported, as the audience may read it: whole for the TA, and for a
    student if the grader found it itself (a syntax error, a missing file); else only the exception's name
    (its message is the child's, which the module's own code may have written)."""
    problem = grade.module_problems[module]
    if audience is Audience.TA and not isinstance(problem, Text):
        # the child's words ("layers.py could not be imported: ValueError: ... (line 3: ...)"), said again
        said = re.fullmatch(r"([\w.]+) could not be imported: (.*)", problem, re.S)
        if said:
            return T_("{file} could not be imported: {error}", file=said.group(1), error=exception_line(said.group(2)))
        return problem
    if audience is Audience.TA or module in grade.trusted_problems:
        return problem
    said = re.fullmatch(r"([\w.]+) could not be imported: (.*)", problem, re.S)
    if said and _WALL.fullmatch(said.group(2)):
        wall = exception_line(said.group(2))
        if isinstance(wall, Text):  # a sandbox wall's sentence, the grader's own words (the code guard's)
            return T_("{file} could not be imported: {error}", file=said.group(1), error=wall)
    kind = re.match(r"[\w.]+ could not be imported: (\w+)", problem)
    if kind:
        return T_("{module}.py could not be imported ({kind}): run pytest in your folder to see why",
                  module=module, kind=_exception(exception_name(kind.group(1))))
    return T_("{module}.py could not be imported: run pytest in your folder to see why", module=module)


def build_feedback(grade: Grade, audience: Audience, language: str = "en") -> Feedback:
    """The feedback of ``grade`` for ``audience``, in ``language`` (checked: ``language.checked``)."""
    say = speaker(language)
    facts = []
    if audience is Audience.TA:
        facts += [say(T_("Submission: {folder}",  # a folder a student named
                         folder=printable(str(grade.submission), multiline=False))),
                  say(T_("Hidden cases drawn with seed {seed} (rerun with --seed {seed} to reproduce).",
                         seed=grade.seed))]
    else:
        facts.append(say(T_("Graded on hidden cases drawn for you; they are described by their kind, never "
                            "their values.")))
    if grade.versions:
        facts.append(say(T_("Graded with {versions}.", versions=grade.versions)))
    if grade.sandbox and audience is Audience.TA:
        facts.append(say(T_("The code ran in a {sandbox}", sandbox=grade.sandbox)))
    return Feedback(
        audience, grade.score, grade.max_score, tuple(facts),
        {module: say(module_problem(grade, module, audience)) for module in MODULES
         if module in grade.module_problems},
        tuple(function_feedback(function, grade, audience, say) for function in FUNCTIONS
              if any(r.verdict.function.name == function.name for r in grade.results)),
        dict(grade.printed) if audience is Audience.TA else {}, grade.seconds, language)
