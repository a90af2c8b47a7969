"""``diff OLD_GRADED NEW_GRADED``: after a rubric, reference or grader change, whose grades moved, by how
much, on which checks, and why.

Both folders are grade-all ``--out`` folders graded under the same secret (so the same seeds, the same
hidden cases). A student's tests are matched by their ``tags`` (function, check id), never by position,
so a check added or removed between the two runs shows as added or removed, not as its neighbour
changing. A check changed when its score or its status did; a change of its points alone (the rubric
priced it differently, the verdict and the points earned the same) shows in ``max_score``, not as a
change of that student. Students graded on one side only are listed apart (``added``, ``missing``).

    changed    [{student, old, new, checks: [{function, check, old, new, old_status, new_status,
                 old_output, new_output, old_max, new_max}]}]   by student; a side without the check: null
    unchanged  how many students graded in both have the same score and verdicts
    added      [{student, new}]   graded only in NEW
    missing    [{student, old}]   graded only in OLD
    max_score  {old, new}         the class's most points, when it changed

A student folder whose results.json does not read back whole counts as not graded, as it does for
grade-all's resumption and the gradebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.core.printable import printable
from autograder.outputs.gradebook import read_results


def _tests(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """A student's tests by (function, check id), the tags results.json gives every test."""
    return {(str(test["tags"][0]), str(test["tags"][1])): test for test in results["tests"]}


def _check_change(key: tuple[str, str], old: dict[str, Any] | None, new: dict[str, Any] | None
                  ) -> dict[str, Any] | None:
    if old is not None and new is not None and (old["score"], old["status"]) == (new["score"], new["status"]):
        return None
    return {"function": key[0], "check": key[1],
            "old": None if old is None else old["score"], "new": None if new is None else new["score"],
            "old_status": None if old is None else old["status"], "new_status": None if new is None else new["status"],
            "old_output": None if old is None else old.get("output", ""),
            "new_output": None if new is None else new.get("output", ""),
            "old_max": None if old is None else old["max_score"], "new_max": None if new is None else new["max_score"]}


def student_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks whose score or status differ between two results of one student, in the new run's
    order, then the checks only the old run had."""
    before, after = _tests(old), _tests(new)
    keys = [*after, *(key for key in before if key not in after)]
    changes = (_check_change(key, before.get(key), after.get(key)) for key in keys)
    return [change for change in changes if change is not None]


def _max_score(results: dict[str, dict[str, Any]]) -> float | None:
    totals = {sum(float(test["max_score"]) for test in r["tests"]) for r in results.values() if r["tests"]}
    return max(totals) if totals else None


def diff_graded(old_graded: Path, new_graded: Path) -> dict[str, Any]:
    """The diff of two grade-all folders (keys in the module docstring)."""
    old, new = read_results(old_graded), read_results(new_graded)
    changed, unchanged = [], 0
    for student in sorted(old.keys() & new.keys()):
        checks = student_changes(old[student], new[student])
        if checks or old[student]["score"] != new[student]["score"]:
            changed.append({"student": student, "old": old[student]["score"], "new": new[student]["score"],
                            "checks": checks})
        else:
            unchanged += 1
    report: dict[str, Any] = {
        "changed": changed, "unchanged": unchanged,
        "added": [{"student": s, "new": new[s]["score"]} for s in sorted(new.keys() - old.keys())],
        "missing": [{"student": s, "old": old[s]["score"]} for s in sorted(old.keys() - new.keys())]}
    most = {"old": _max_score(old), "new": _max_score(new)}
    if most["old"] != most["new"]:
        report["max_score"] = most
    return report


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _check_line(check: dict[str, Any]) -> str:
    label = f"{check['function']} {check['check']}"
    if check["old_status"] is None:
        return f"{label} added {_points(check['new'])}/{_points(check['new_max'])}"
    if check["new_status"] is None:
        return f"{label} removed (was {_points(check['old'])}/{_points(check['old_max'])})"
    return (f"{label} {_points(check['old'])}/{_points(check['old_max'])} -> "
            f"{_points(check['new'])}/{_points(check['new_max'])}")


def render_diff(report: dict[str, Any]) -> str:
    """The text ``diff`` prints: one line per changed, new or missing student, then the counts."""
    lines = []
    for student in report["changed"]:
        delta = student["new"] - student["old"]
        checks = ", ".join(_check_line(check) for check in student["checks"])
        lines.append(f"{printable(student['student'], multiline=False)}: {_points(student['old'])} -> "
                     f"{_points(student['new'])} ({delta:+g})" + (f": {checks}" if checks else ""))
    lines += [f"{printable(s['student'], multiline=False)}: only in the new run, {_points(s['new'])}"
              for s in report["added"]]
    lines += [f"{printable(s['student'], multiline=False)}: only in the old run (was {_points(s['old'])})"
              for s in report["missing"]]
    both = len(report["changed"]) + report["unchanged"]
    summary = f"{len(report['changed'])} of {both} students changed; {report['unchanged']} unchanged"
    if report["added"] or report["missing"]:
        summary += f"; {len(report['added'])} only in the new run, {len(report['missing'])} only in the old"
    if "max_score" in report:
        summary += f"; most points {_points(report['max_score']['old'])} -> {_points(report['max_score']['new'])}"
    return "\n".join([*lines, summary]) + "\n"
