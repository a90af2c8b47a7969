"""The class report's data: what a whole class got right and wrong, read from grade-all's output folder.

    python -m autograder class-report GRADED_DIR   # writes GRADED_DIR/class.json and GRADED_DIR/class.html

It reads only ``GRADED_DIR``: each ``STUDENT/results.json`` once (what grade-all, or nbgrader's autograde
with the kit, wrote), and whether ``gradebook.csv`` or ``gradebook-incomplete.csv`` is there. Each test
of a results.json is one check: ``tags`` = [function, check id], ``status``, ``score``, ``max_score``,
and ``extra_data.mistakes``, the catalogue ids its wrong answers matched; the catalogue beside the
reference gives each id its explanation. ``class.json``'s keys:

    students   how many student folders hold a results.json that reads back whole
    complete   whether every student of the class has a result (gradebook.csv, not gradebook-incomplete.csv)
    functions  per graded function: mean and max points, and each check's pass rate
    mistakes   each known mistake some student made, most students first, with its explanation
    similar    groups of students whose work looks alike, with the evidence: for a human to review
    scores     the distribution of total scores (percent of the maximum, in bins of 10)
    regimes    per section of the essay and regime (saturated units, dead units, ...), the pass rate of
               its checks: "the class cannot do saturation" at a glance
    unreadable student folders whose results.json is missing its tests or does not parse
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.core.files import write_atomically
from autograder.grading.mistakes import Mistake
from autograder.outputs.class_page import render_class_page
from autograder.outputs.gradebook import GRADEBOOK, RESULTS

CLASS_JSON = "class.json"
CLASS_HTML = "class.html"
BINS = 10  # score bins of 10% each; the last holds 100%

# Which essay section and regime each targeted check belongs to, by check id; a regime marked per function
# is one regime for each function that has the check (Huber's and the clipped delta's beyond_delta differ:
# one must give ±delta / size, the other exactly 0). Checks not in the table are "everything else": random
# cases, finite differences, untouched inputs, and targeted cases the essay has no section for.
EVERYTHING_ELSE = ("Everything else", "other checks")
REGIMES: dict[str, tuple[str, str, bool]] = {
    "saturation": ("Vanishing gradients on sigmoids", "saturated units", False),  # sigmoid, tanh, the RNN step
    "dead_units": ("Dying ReLUs", "dead units", False),  # relu's, and affine's dw columns under dead units
    "exploding": ("Exploding gradients in RNNs", "exploding BPTT", False),  # spectral radius of Wh above 1
    "vanishing": ("Exploding gradients in RNNs", "vanishing BPTT", False),  # and below 1
    "beyond_delta": ("Spotted in the wild: DQN clipping", "beyond delta", True),  # Huber's and the clipped delta's
}


def regime_of(function: str, check: str) -> tuple[str, str]:
    """The (essay section, regime) of one check; ``EVERYTHING_ELSE`` for a check the table leaves out."""
    if check not in REGIMES:
        return EVERYTHING_ELSE
    section, regime, per_function = REGIMES[check]
    return section, f"{regime}: {function}" if per_function else regime


def find_similar(graded: Path) -> list[dict[str, Any]]:
    """Groups of students whose submissions look alike: ``[{"students": [...], "evidence": [...]}]``, each
    piece of evidence a sentence or a dictionary with its ``text`` (and ``function``).

    None, by default: the similarity review (``integrations.similarity.similar_groups``) is a layer above
    this one, so the commands that write the report pass it in as ``write_class_report``'s ``similar``.
    """
    return []


@dataclass
class _Check:
    title: str
    passed: int = 0
    graded: int = 0


@dataclass
class _Function:
    checks: dict[str, _Check] = field(default_factory=dict)
    points: float = 0.0  # summed over the students
    max_points: float = 0.0  # the most any student's results offered


def read_results(graded: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each student folder of ``graded`` with a whole results.json: student id -> its tests; and the
    folders whose results.json is there but holds no test or does not parse (the grader failed there)."""
    results, unreadable = {}, []
    for path in sorted(graded.glob(f"*/{RESULTS}")):
        student = path.parent.name
        if student.startswith("."):
            continue
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            tests = found["tests"]
            if not tests or not all(len(test["tags"]) == 2 for test in tests):
                raise ValueError("no tests, or a test not tagged with its function and check")
            results[student] = found
        except (OSError, ValueError, KeyError, TypeError):
            unreadable.append(student)
    return results, unreadable


def _percent(results: dict[str, Any]) -> float:
    tests = results["tests"]
    most = float(results.get("extra_data", {}).get("max_score") or sum(float(t["max_score"]) for t in tests))
    return 100.0 * float(results["score"]) / most if most else 0.0


def _scores(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    percents = [_percent(one) for one in results]
    counts = Counter(min(int(p // BINS), BINS - 1) for p in percents)
    width = 100 // BINS
    return {"unit": "percent of the maximum score",
            "mean": round(statistics.fmean(percents), 2) if percents else None,
            "median": round(statistics.median(percents), 2) if percents else None,
            "bins": [{"from": b * width, "to": (b + 1) * width, "students": counts.get(b, 0)} for b in range(BINS)]}


def _table_order(regime: tuple[str, str]) -> int:
    """The essay's order, as the table gives it; everything else last."""
    sections = [(section, name) for section, name, _ in REGIMES.values()]
    return next((n for n, (section, name) in enumerate(sections) if regime[0] == section
                 and (regime[1] == name or regime[1].startswith(f"{name}: "))), len(sections))


def _rate(passed: int, graded: int) -> float | None:
    return round(passed / graded, 4) if graded else None


def class_summary(graded: Path, catalogue: list[Mistake],
                  similar: Callable[[Path], list[dict[str, Any]]] = find_similar) -> dict[str, Any]:
    """Everything ``class.json`` holds, from the results in ``graded`` (read once each) and the mistake
    catalogue; ``similar(graded)`` gives the groups of similar students."""
    results, unreadable = read_results(graded)
    functions: dict[str, _Function] = {}
    regimes: dict[tuple[str, str], list[int]] = {}  # (section, regime) -> [passed, graded]
    regime_checks: dict[tuple[str, str], list[str]] = {}
    made: dict[tuple[str, str], set[str]] = {}  # (function, mistake id) -> students
    for student, found in results.items():
        offered: dict[str, float] = {}
        for test in found["tests"]:
            name, check_id = test["tags"]
            function = functions.setdefault(name, _Function())
            title = str(test["name"]).removeprefix(f"{name}: ")
            check = function.checks.setdefault(check_id, _Check(title))
            passed = test["status"] == "passed"
            check.passed += passed
            check.graded += 1
            function.points += float(test["score"])
            offered[name] = offered.get(name, 0.0) + float(test["max_score"])
            regime = regime_of(name, check_id)
            counts = regimes.setdefault(regime, [0, 0])
            counts[0] += passed
            counts[1] += 1
            if f"{name}: {check_id}" not in regime_checks.setdefault(regime, []):
                regime_checks[regime].append(f"{name}: {check_id}")
            for mistake in test.get("extra_data", {}).get("mistakes", []):
                made.setdefault((name, str(mistake)), set()).add(student)
        for name, most in offered.items():
            functions[name].max_points = max(functions[name].max_points, most)
    explanations = {mistake.id: mistake for mistake in catalogue}
    order = list(functions)
    ranked = sorted(made.items(), key=lambda item: (-len(item[1]), order.index(item[0][0]), item[0][1]))
    return {
        "students": len(results),
        # Only grade-all's last run, with every student graded, writes gradebook.csv; a folder without it
        # (stopped, failures left, or nbgrader's, which has no gradebook) is not known to be the whole class.
        "complete": (graded / GRADEBOOK).is_file() and not unreadable,
        "functions": [{"function": name, "mean_points": round(f.points / len(results), 4),
                       "max_points": f.max_points,
                       "checks": [{"check": check_id, "title": c.title, "pass_rate": _rate(c.passed, c.graded)}
                                  for check_id, c in f.checks.items()]}
                      for name, f in functions.items()],
        "mistakes": [{"id": mistake, "function": name,
                      "text": explanations[mistake].explanation if mistake in explanations else "",
                      "students": sorted(students)} for (name, mistake), students in ranked],
        "similar": [{"students": [str(s) for s in group["students"]], "evidence": list(group["evidence"])}
                    for group in similar(graded)],
        "scores": _scores(results.values()),
        "regimes": [{"section": section, "regime": regime, "checks": regime_checks[(section, regime)],
                     "pass_rate": _rate(*regimes[(section, regime)])}
                    for section, regime in sorted(regimes, key=_table_order)],
        "unreadable": unreadable,
    }


def write_class_report(graded: Path, catalogue: list[Mistake],
                       similar: Callable[[Path], list[dict[str, Any]]] = find_similar) -> dict[str, Any]:
    """Write ``graded/class.json``, then ``graded/class.html``, each atomically; return the summary."""
    summary = class_summary(graded, catalogue, similar)
    write_atomically(graded / CLASS_JSON, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    write_atomically(graded / CLASS_HTML, render_class_page(summary))
    return summary
