"""How right are the grader's verdicts? Grade both corpora over many seeds and judge the outcomes.

The reference and every correct variant in ``tests/corpus/correct`` must get full marks (anything
else is a false failure); every mutant in ``tests/corpus/buggy`` must lose points in its EXPECT
function and nowhere else but ALSO, and should be diagnosed as its MISTAKE; each is graded over
many hidden-case seeds, through the real grading path (child process included). An entry whose
outcome changes with the seed is flaky. ``tools/verdict_report.py`` (``make verdicts``) prints the
table over many seeds; the CI test (``tests/grading/test_verdicts.py``) runs the same code on fewer seeds.
"""

from __future__ import annotations

import ast
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers import CORPUS, build_submission, corpus_entry  # tests/ is on sys.path (pytest's pythonpath, or the tool)

from autograder import DEFAULT_REFERENCE
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade_seeds

SEEDS_PER_PASS = 25  # seeds graded by one set of sandboxed children (keeps each reply well under its cap)


@dataclass(frozen=True)
class Entry:
    """One submission of a corpus: what it replaces and what should happen to it."""

    kind: str  # "reference", "correct" or "buggy"
    name: str
    path: Path | None
    graded: tuple[str, ...]  # functions worth grading: those it can change
    expect: str = ""  # buggy: the function that must lose points
    also: str = ""  # buggy: a function allowed to lose points too (it calls the broken one)
    mistake: str = ""  # buggy: the catalogue id it should be diagnosed as


@dataclass(frozen=True)
class Outcome:
    """One entry graded with one seed."""

    entry: Entry
    seed: int
    lost: frozenset[str]  # functions that lost points
    named: frozenset[str]  # mistake ids named in the EXPECT function's feedback
    messages: str  # the first findings, for a readable failure


def _defined_names(path: Path) -> set[str]:
    return {node.name for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)}


def _affected(path: Path) -> tuple[str, ...]:
    """Graded functions a corpus file can change: those it defines (or whose forward it defines),
    and rnn_backward whenever it replaces an RNN step."""
    defined = _defined_names(path)
    affected = {f.name for f in FUNCTIONS if f.name in defined or f.forward in defined}
    if defined & {"rnn_step_forward", "rnn_step_backward"}:
        affected.add("rnn_backward")
    return tuple(f.name for f in FUNCTIONS if f.name in affected)


def entries(kinds: Iterable[str] = ("reference", "correct", "buggy")) -> list[Entry]:
    """Every entry of the requested kinds, in a stable order."""
    found = []
    for kind in kinds:
        if kind == "reference":
            found.append(Entry("reference", "reference", None, tuple(f.name for f in FUNCTIONS)))
            continue
        for path in sorted((CORPUS / kind).glob("*.py")):
            constants = corpus_entry(path)
            found.append(Entry(kind, path.stem, path, _affected(path), constants.get("EXPECT", ""),
                               constants.get("ALSO", ""), constants.get("MISTAKE", "")))
    return found


def _grade_entry(entry: Entry, seeds: list[int], folder: Path) -> list[Outcome]:
    submission = DEFAULT_REFERENCE if entry.path is None else build_submission(folder / entry.name, entry.path)
    outcomes = []
    for start in range(0, len(seeds), SEEDS_PER_PASS):
        for result in grade_seeds(submission, DEFAULT_REFERENCE, seeds[start:start + SEEDS_PER_PASS],
                                  only=entry.graded):
            failed = [r for r in result.results if not r.verdict.passed]
            named = {mistake_id for r in failed if r.verdict.function.name == entry.expect
                     for finding in r.verdict.findings for mistake_id, _ in finding.mistakes}
            messages = "; ".join(f"{r.name}: {r.verdict.findings[0].message if r.verdict.findings else '-'}"
                                 for r in failed[:3])
            outcomes.append(Outcome(entry, result.seed, frozenset(r.verdict.function.name for r in failed),
                                    frozenset(named), messages))
    return outcomes


def collect(kinds_and_seeds: dict[str, list[int]], workers: int = 2) -> list[Outcome]:
    """Grade every entry of each kind over its seeds, ``workers`` entries at a time."""
    with tempfile.TemporaryDirectory(prefix="verdicts-") as folder, ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_grade_entry, entry, seeds, Path(folder))
                   for kind, seeds in kinds_and_seeds.items() for entry in entries([kind])]
        return [outcome for future in futures for outcome in future.result()]


# --- judging the outcomes -----------------------------------------------------------------------

def is_false_failure(outcome: Outcome) -> bool:
    return outcome.entry.kind != "buggy" and bool(outcome.lost)


def is_caught(outcome: Outcome) -> bool:
    """A mutant is caught when its function loses points and nothing it cannot affect does."""
    entry = outcome.entry
    return entry.expect in outcome.lost and outcome.lost <= {entry.expect, entry.also}


def is_diagnosed(outcome: Outcome) -> bool:
    return outcome.entry.mistake in outcome.named


def flaky_entries(outcomes: list[Outcome]) -> set[str]:
    """Entries whose verdict (caught / full marks) differs between seeds."""
    verdicts = defaultdict(set)
    for outcome in outcomes:
        verdicts[outcome.entry.name].add(is_caught(outcome) if outcome.entry.kind == "buggy"
                                         else not outcome.lost)
    return {name for name, seen in verdicts.items() if len(seen) > 1}


def problems(outcomes: list[Outcome]) -> list[str]:
    """Every false failure and every missed mutant, one line each (seed included)."""
    lines = []
    for outcome in outcomes:
        if is_false_failure(outcome):
            lines.append(f"false failure: {outcome.entry.name} seed {outcome.seed}: {outcome.messages}")
        if outcome.entry.kind == "buggy" and not is_caught(outcome):
            lines.append(f"missed: {outcome.entry.name} seed {outcome.seed}: lost {sorted(outcome.lost)}")
    return lines
