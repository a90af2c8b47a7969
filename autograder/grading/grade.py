"""Grade one submission: draw cases, call the student's functions (in a child), judge, score.

The two halves never mix: ``collect`` gathers plain replies (the student's from a child process,
the reference's in-process); ``assess`` judges those replies and prices them with the rubric.
"""

from __future__ import annotations

import importlib.util
import platform
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograder.core import calling, syntax
from autograder.core.background import Background, all_joined
from autograder.core.calling import MESSAGE_CHARACTERS
from autograder.core.cases import Case, cases_for
from autograder.core.printable import printable
from autograder.core.spec import FUNCTIONS, MODULES, Check, GradedFunction, Oracle
from autograder.core.text import T_
from autograder.grading.definitions import plain_definitions, replaced
from autograder.grading.mistakes import Diagnoser, SharedPredictions, freeze
from autograder.grading.reference import GraderError, Reference, as_reference
from autograder.grading.source_reader import measured_functions
from autograder.grading.verdicts import Finding, Verdict, fd_indices, judge_case, judge_untouched
from autograder.sandbox import host, runner
from autograder.sandbox.scratch import SubmissionError, read_source


def check_sandbox(concurrent: bool = False) -> None:
    """Raise GraderError, saying what is missing and how to get it, unless student code can be graded
    here behind the whole sandbox (or the TA opted in to less: ``host.UNSAFE_OPT_IN``).
    ``concurrent``: other submissions are graded on this machine at the same time."""
    refusal = host.current().refusal(concurrent)
    if refusal:
        raise GraderError(refusal)


@dataclass(frozen=True)
class Planned:
    """One case of one check, with the request sent for it."""

    check: Check
    case: Case
    request: dict[str, Any]


@dataclass
class Result:
    """A priced verdict: one line of the gradebook."""

    verdict: Verdict
    points: float
    max_points: float

    @property
    def name(self) -> str:
        return f"{self.verdict.function.name}: {self.verdict.check.title}"


@dataclass
class Grade:
    """Everything known about one graded submission."""

    submission: Path
    seed: int
    results: list[Result]
    module_problems: dict[str, str] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    sandbox: str = ""  # which protections the student's code ran under (``host.Sandbox.summary``)
    measured: dict[str, str] = field(default_factory=dict)  # function -> why it measures (for the TA)
    versions: str = ""  # the Python and numpy that graded it (on a Dask worker: the worker's)
    trusted_problems: set[str] = field(default_factory=set)  # modules whose problem the grader wrote, not the child

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)


def grader_versions() -> str:
    """The Python and numpy doing the grading, as every report states them."""
    return f"Python {platform.python_version()}, numpy {np.__version__}"


def new_seed() -> int:
    """A fresh seed for the hidden cases, drawn at grading time."""
    import secrets  # here: most grades are given their seed, and hashlib's import costs 5 ms

    return secrets.randbelow(2**31)


def plan(function: GradedFunction, seed: int) -> list[Planned]:
    """Every case of every check of ``function``, with the request the child will answer."""
    planned = []
    cases = cases_for(function, seed)
    for check in function.checks:
        for case in cases[check.id]:
            request: dict[str, Any] = {"args": case.args, "dout": case.dout}
            if check.oracle is Oracle.FINITE_DIFFERENCES:
                request["perturb"] = fd_indices(function, case)
            # The grader watches every case's inputs itself (``observed``): were only the no-mutation
            # check's watched, code could tell those cases apart (by shape, by ``owndata``) and behave.
            request["observe"] = True
            planned.append(Planned(check, case, request))
    return planned


def collect_student(submission: Path, plans: dict[str, list[Planned]], seconds_per_function: float,
                    started: threading.Event | None = None
                    ) -> tuple[dict[str, list[dict]], dict[str, str], dict[str, str]]:
    """Student replies per function, problems per module file, and what each module printed. ``started``
    is set once every module's child runs (or will not run at all)."""
    replies: dict[str, list[dict]] = {}
    problems: dict[str, str] = {}
    printed: dict[str, str] = {}
    runs = {}
    running: list[threading.Event] = []
    with _setting(started), all_joined([]) as threads:  # one child per module
        for module in MODULES:
            functions = [f for f in FUNCTIONS if f.module == module and f.name in plans]
            if not functions:
                continue
            path = submission / f"{module}.py"
            if not path.is_file():
                problems[module] = T_("{module}.py is missing from the submission", module=module)
                for function in functions:
                    replies[function.name] = [calling.error_reply(problems[module]) | {"grader_text": True}
                                              for _ in plans[function.name]]
                continue
            requests = {f.name: [p.request for p in plans[f.name]] for f in functions}
            running.append(threading.Event())
            threads.append(Background(partial(runner.run_module, path, module, requests, seconds_per_function,
                                              running[-1]), name=f"grading {module}"))
            runs[module] = (functions, threads[-1])
        for event in running:
            event.wait()  # run_module sets it at the latest when it returns
        if started is not None:
            started.set()
    for module, (functions, run) in runs.items():
        answered, printed[module] = run.result()
        for function in functions:
            cases = answered[function.name]["cases"]
            replies[function.name] = cases
            if cases and all(c.get("import_failed") for c in cases):
                problems[module] = cases[0]["error"]
    return replies, problems, printed


@contextmanager
def _setting(event: threading.Event | None) -> Iterator[None]:
    """Set ``event`` on the way out, whatever happened: nothing may wait on it for ever."""
    try:
        yield
    finally:
        if event is not None:
            event.set()


def collect_reference(references: dict[str, ModuleType], plans: dict[str, list[Planned]]) -> dict[str, list[dict]]:
    """Reference replies per function (in-process: the reference is trusted)."""
    replies = {}
    with np.errstate(all="ignore"):
        for function in (f for f in FUNCTIONS if f.name in plans):
            # The same requests as the student's: finite differences are taken of the given forward.
            requests = [p.request for p in plans[function.name]]
            replies[function.name] = calling.run_function(references[function.module], function, requests,
                                                          watch=False)
            broken = [r["error"] for r in replies[function.name] if r["error"]]
            if broken:
                raise GraderError(f"the reference {function.name} failed: {broken[0]}")
    return replies


SHARED_SEEDS_KEPT = 4


@dataclass
class Kept:
    """What every grade of a process shares for a seed they all meet (the class probe's): the reference's
    answers, made read-only, and what the catalogued mistakes give on those cases (``Diagnoser.share``)."""

    reference: Reference  # kept with them: its id is not reused meanwhile
    answers: dict[str, list[dict]]
    predictions: SharedPredictions = field(default_factory=dict)


_shared: dict[tuple[int, int, tuple[tuple[str, int], ...]], Kept] = {}
_shared_lock = threading.Lock()


def shared_answers(reference: Reference, seed: int, plans: dict[str, list[Planned]]) -> Kept:
    """``collect_reference`` for a seed that every submission of a batch meets (the class probe's), computed
    once per process: the same reference and the same plans give the same answers. Their arrays are made
    read-only, so that no grade can change what the next one compares with."""
    key = (id(reference), seed, tuple((name, len(planned)) for name, planned in plans.items()))
    with _shared_lock:
        kept = _shared.get(key)
    if kept is not None and kept.reference is reference:
        return kept
    answers = collect_reference(reference.modules, plans)
    for replies in answers.values():
        for reply in replies:
            freeze(reply)
    kept = Kept(reference, answers)
    with _shared_lock:
        while len(_shared) >= SHARED_SEEDS_KEPT:
            _shared.pop(next(iter(_shared)))
        _shared[key] = kept
    return kept


def _judge_safely(function: GradedFunction, planned: Planned, student: dict, reference: dict) -> list[Finding]:
    try:
        return judge_case(function, planned.check, planned.case, student, reference,
                          planned.request.get("perturb", {}))
    except (KeyError, TypeError, AttributeError, ValueError, IndexError):
        # Only a tampered or truncated reply lacks the fields the child always writes.
        return [Finding(planned.case.label, T_("the reply for this case was malformed"), grader_text=True)]


def grader_problems(submission: Path) -> dict[str, str]:
    """Why a module cannot be imported, where the grader can tell by reading it (missing, unreadable,
    a syntax error): text the grader wrote itself, so a student may read it whole."""
    problems: dict[str, str] = {}
    for module in MODULES:
        path = submission / f"{module}.py"
        if not path.is_file():
            problems[module] = T_("{module}.py is missing from the submission", module=module)
            continue
        try:
            syntax.parse(importlib.util.decode_source(read_source(path)))
        except SubmissionError as error:
            problems[module] = error.text
        except SyntaxError as error:
            # Python's own words for the error stay as it wrote them
            problems[module] = T_("{file} could not be imported: syntax error on line {line}: {error}",
                                  file=path.name, line=error.lineno, error=error.msg)
        except (UnicodeDecodeError, LookupError, ValueError, RecursionError, MemoryError):
            continue  # the child says what it makes of it
    return problems


def read_sources(submission: Path) -> dict[str, str]:
    """The submission's modules as text, read by the trusted grader (those it can read at all: the
    child reports why the others cannot be graded)."""
    sources = {}
    for module in MODULES:
        try:
            sources[module] = importlib.util.decode_source(read_source(submission / f"{module}.py"))
        except (SubmissionError, SyntaxError, UnicodeDecodeError, LookupError):
            continue
    return sources


def confirm_crash_lines(student: dict[str, list[dict]], sources: dict[str, str]) -> None:
    """Keep a crash's ``line`` and ``code`` only where they are that line of a module the grader read.

    The child reports them from a traceback, which code can forge (``exec`` with a made-up file name
    and line number): a line shown to a student must be one of their own file, not a message that
    carries a hidden case's values."""
    files = {f"{module}.py": source.splitlines() for module, source in sources.items()}
    for replies in student.values():
        for reply in replies:
            crash = reply.get("crash")
            if crash is None:
                continue
            lines = files.get(crash["file"], [])
            line = lines[crash["line"] - 1] if 1 <= crash["line"] <= len(lines) else None
            if line is None or printable(line.strip()[:MESSAGE_CHARACTERS], multiline=False) != crash["code"]:
                crash |= {"file": "", "line": -1, "code": "", "function": ""}


def measured_backwards(sources: dict[str, str]) -> dict[str, str]:
    """Function name -> why it measures its gradient instead of computing it, read from the
    submission's source (``source_reader``); the student's code is not run."""
    measured: dict[str, str] = {}
    for module, source in sources.items():
        graded = [function.name for function in FUNCTIONS if function.module == module]
        try:
            found = measured_functions(source, graded, module, sources)
        except Exception:  # a reader that cannot follow the code must not pass it unread
            measured |= dict.fromkeys(graded, T_("{module}.py: the grader could not read this file's code, so it "
                                                 "cannot tell whether its gradients are computed; please tell your TA",
                                                 module=module))
            continue
        measured |= {name: T_("{module}.py line {line}: {reason}. This function scores 0: the assignment asks you "
                              "to compute its gradient with the chain rule, not to measure it",
                              module=where.module, line=where.line, reason=where.reason)
                     for name, where in found.items()}
    return measured


def replaced_backwards(sources: dict[str, str], student: dict[str, list[dict]]) -> dict[str, str]:
    """Function name -> why the code that ran under its name is not the ``def`` in its source
    (``definitions``): it was swapped in while the module ran, where the source reader cannot see."""
    found: dict[str, str] = {}
    for module, source in sources.items():
        defined = plain_definitions(source, [f.name for f in FUNCTIONS if f.module == module])
        for name, lines in defined.items():
            if any(replaced(lines, name, reply.get("code"), f"{module}.py") for reply in student.get(name, [])):
                where = T_("the def {name} on line {lines}", name=name,
                           lines=", ".join(str(line) for line in sorted(lines))) if lines else \
                    T_("a def {name}", name=name)
                found[name] = T_("{module}.py: the {name} that ran is not {where} but code swapped in while the "
                                 "module was imported, which the grader cannot read. This function scores 0: write "
                                 "it as a plain def and let it compute its gradient", module=module, name=name,
                                 where=where)
    return found


def _changed_elsewhere(plans: list[Planned], replies: list[dict], check: Check) -> list[Finding]:
    """In-place changes seen in the function's cases of other checks: every case's inputs are watched,
    so code that leaves only the no-mutation cases alone still loses that check."""
    return [finding for planned, reply in zip(plans, replies, strict=True)
            if planned.check is not check and not reply.get("error")
            for finding in judge_untouched(planned.case, reply)]


def assess(plans: dict[str, list[Planned]], student: dict[str, list[dict]], reference: dict[str, list[dict]],
           rubric: dict[str, dict[str, float]], diagnoser: Diagnoser, measured: dict[str, str] | None = None
           ) -> list[Result]:
    """Judge every check of every function and price it; ``measured`` functions (those the rubric
    scores 0 for measuring their gradient) get 0 on every check, with the reason."""
    results = []
    measured = measured or {}
    for function in (f for f in FUNCTIONS if f.name in plans):
        for check in function.checks:
            verdict = Verdict(function, check, measured=measured.get(function.name, ""))
            rows = [(p, s, r) for p, s, r in zip(plans[function.name], student[function.name],
                                                  reference[function.name], strict=True) if p.check is check]
            verdict.not_implemented = all(s.get("not_implemented") for _, s, _ in rows)
            for planned, student_reply, reference_reply in rows:
                findings = _judge_safely(function, planned, student_reply, reference_reply)
                # A crash is compared whatever the check: the same case crashes alike under every oracle.
                if findings and (check.oracle in (Oracle.REFERENCE, Oracle.UNTOUCHED) or student_reply.get("error")):
                    mistakes = diagnoser.name_mistakes(function, planned.request, student_reply, findings)
                    findings = [replace(finding, mistakes=mistakes) for finding in findings]
                verdict.findings.extend(findings)
            if check.oracle is Oracle.UNTOUCHED:
                verdict.findings.extend(_changed_elsewhere(plans[function.name], student[function.name], check))
            max_points = rubric[function.name][check.id]
            results.append(Result(verdict, max_points if verdict.passed else 0.0, max_points))
    return results


def grade(submission: Path, reference: Reference | Path, seed: int | None = None,
          seconds_per_function: float = runner.SECONDS_PER_FUNCTION, only: Iterable[str] | None = None,
          concurrent: bool = False) -> Grade:
    """Grade the submission folder against the reference (or the reference in that folder) with the
    hidden-case ``seed``.

    ``seconds_per_function`` bounds the wall time the student's code may spend on one function;
    ``only`` restricts grading to the named functions (their cases do not depend on the others);
    ``concurrent`` says other submissions are graded on this machine meanwhile (``check_sandbox``).
    """
    return grade_seeds(submission, reference, [new_seed() if seed is None else seed],
                       seconds_per_function, only, concurrent)[0]


def grade_seeds(submission: Path, reference: Reference | Path, seeds: list[int],
                seconds_per_function: float = runner.SECONDS_PER_FUNCTION,
                only: Iterable[str] | None = None, concurrent: bool = False,
                values_only: Iterable[int] = ()) -> list[Grade]:
    """One Grade per seed, for one submission, collected in a single pass.

    The cases of every seed go to the same children, so their start-up is paid once: this is how
    the kit's own corpora are graded over hundreds of seeds. Each seed is judged on its own.
    ``values_only`` seeds leave out the finite-difference cases, the costly ones (a forward call per
    element moved): their Grade is only a sample of answers, the class probe's (``similarity``), and
    its finite-difference checks hold no case.
    Raises GraderError before any student code runs where the sandbox is not whole (``check_sandbox``).
    """
    check_sandbox(concurrent)
    started = time.perf_counter()
    reference = as_reference(reference)
    diagnoser = Diagnoser(list(reference.mistakes), reference.modules)  # its predictions are this grade's
    selected = set(only) if only is not None else {function.name for function in FUNCTIONS}
    sampled = set(values_only)
    per_seed = [{f.name: [planned for planned in plan(f, seed) if seed not in sampled
                          or planned.check.oracle is not Oracle.FINITE_DIFFERENCES]
                 for f in FUNCTIONS if f.name in selected} for seed in seeds]
    merged = {name: [planned for plans in per_seed for planned in plans[name]] for name in per_seed[0]}
    children_run = threading.Event()
    # The children run while the reference is computed here.
    students = Background(partial(collect_student, submission, merged, seconds_per_function * len(seeds),
                                  children_run), name="grading children")
    with all_joined([students]):
        # Not before: the children's set-up is Python too, and would wait for this thread's interpreter lock
        # at every system call (up to 5 ms each, ``sys.getswitchinterval``).
        children_run.wait()
        # A sampled seed is the class probe's, the same for every submission of a batch: its answers are kept,
        # and so is what the catalogued mistakes give on its cases.
        kept = {seed: shared_answers(reference, seed, plans) for seed, plans in zip(seeds, per_seed, strict=True)
                if seed in sampled}
        for seed, plans in zip(seeds, per_seed, strict=True):
            if seed in kept:
                diagnoser.share({name: [p.request for p in planned] for name, planned in plans.items()},
                                kept[seed].predictions)
        answers = [kept[seed].answers if seed in kept else collect_reference(reference.modules, plans)
                   for seed, plans in zip(seeds, per_seed, strict=True)]
        expected = {name: [reply for replies in answers for reply in replies[name]] for name in merged}
        # Still while the children run: what the grader reads of the submission needs none of their replies
        # (they run copies of its files, which none of them can write back).
        sources = read_sources(submission)
        known = grader_problems(submission)
        read_as_measuring = measured_backwards(sources)
        student, problems, printed = students.result()
    confirm_crash_lines(student, sources)
    trusted = {module for module in problems if module in known}
    problems |= {module: known[module] for module in trusted}
    measured = {name: why for name, why in (replaced_backwards(sources, student) | read_as_measuring).items()
                if name in selected}
    seconds = (time.perf_counter() - started) / len(seeds)
    grades, offset = [], dict.fromkeys(merged, 0)
    for seed, plans in zip(seeds, per_seed, strict=True):
        window = {name: slice(offset[name], offset[name] + len(planned)) for name, planned in plans.items()}
        results = assess(plans, {name: student[name][part] for name, part in window.items()},
                         {name: expected[name][part] for name, part in window.items()}, reference.rubric.points,
                         diagnoser, measured if reference.rubric.zeroes_measured else {})
        offset = {name: part.stop for name, part in window.items()}
        grades.append(Grade(submission, seed, results, problems, printed, seconds,
                            host.current().summary(concurrent), measured, grader_versions(), trusted))
    return grades
