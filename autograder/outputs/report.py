"""Turn a Grade into what people read: the text report, and each check's feedback (``check_feedback``).

What the student's code wrote (its printed output, its errors) arrives already ``printable``
(``replies``, ``runner``). The text report also keeps every line of it inside WIDTH columns: a line
the terminal wraps itself continues at column 0, outside the report's margins, where it passes for
a line of the report's own ("Score: 100 / 100").
"""

from __future__ import annotations

import unicodedata

from autograder.core.printable import printable
from autograder.core.spec import FUNCTIONS, MODULES, GradedFunction
from autograder.grading.grade import Grade, Result

FINDINGS_SHOWN = 3
WIDTH = 78
PRINTED_LINES = 20


def _points(value: float) -> str:
    return f"{value:g}"


def _columns(char: str) -> int:
    """How many terminal columns ``char`` takes: 2 for wide East Asian characters, 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _cut(text: str, width: int) -> list[str]:
    """``text`` cut into rows of at most ``width`` columns, every character kept (spaces too)."""
    rows, row, used = [], "", 0
    for char in text:
        if used + _columns(char) > width:
            rows.append(row)
            row, used = "", 0
        row += char
        used += _columns(char)
    return [*rows, row]


def _wrap(text: str, indent: str) -> list[str]:
    """``text`` as rows of at most WIDTH columns, the first after ``indent``, the others two further in;
    rows break between words, and a word wider than a row is cut."""
    room = WIDTH - len(indent) - 2
    rows: list[str] = []
    row = ""
    for word in text.split(" "):
        longer = f"{row} {word}" if row else word
        if row and sum(map(_columns, longer)) > room:
            rows.append(row)
            longer = word
        row = longer
    pieces = [piece for part in [*rows, row] for piece in _cut(part, room)]
    further = " " * len(indent) + "  "
    return [f"{further if number else indent}{piece}" for number, piece in enumerate(pieces)]


def not_implemented_line(function: GradedFunction) -> str:
    """What a student reads about a function that still raises NotImplementedError (here and in nbgrader)."""
    return f"not implemented yet (it raises NotImplementedError): write it in {function.file}"


def dependency_note(function: GradedFunction, grade: Grade) -> str:
    """When ``function`` fails and so do functions it usually calls (its ``depends_on``): say to fix those
    first (here and in nbgrader). Empty otherwise."""
    failed = {r.verdict.function.name for r in grade.results if not r.verdict.passed}
    callees = [name for name in function.depends_on if name in failed]
    if function.name not in failed or not callees:
        return ""
    fails = "which fails above: fix that first" if len(callees) == 1 else "which fail above: fix those first"
    return f"{function.name} probably calls {' and '.join(callees)}, {fails}."


def check_feedback(result: Result) -> str:
    """What a student reads about one check: empty when it passed."""
    verdict = result.verdict
    if verdict.passed:
        return ""
    if verdict.not_implemented:
        return not_implemented_line(verdict.function)
    if verdict.measured:
        return verdict.measured
    lines = []
    cases = list(dict.fromkeys(finding.case for finding in verdict.findings))
    for case in cases[:FINDINGS_SHOWN]:
        finding = next(f for f in verdict.findings if f.case == case)
        lines.append(f'case "{case}": {finding.message}')
    if len(cases) > FINDINGS_SHOWN:
        lines.append(f"... and {len(cases) - FINDINGS_SHOWN} more case(s)")
    mistakes = dict.fromkeys(explanation for finding in verdict.findings for _, explanation in finding.mistakes)
    lines.extend(f"looks like: {mistake}" for mistake in mistakes)
    return "\n".join(lines)


def _function_results(grade: Grade, name: str) -> list[Result]:
    return [r for r in grade.results if r.verdict.function.name == name]


def text_report(grade: Grade) -> str:
    """The readable report printed after grading."""
    lines = [f"Submission: {printable(str(grade.submission), multiline=False)}",  # a folder a student named
             f"Hidden cases drawn with seed {grade.seed} (rerun with --seed {grade.seed} to reproduce).",
             f"Score: {_points(grade.score)} / {_points(grade.max_score)}   (graded in {grade.seconds:.1f} s)"]
    if grade.versions:
        lines.append(f"Graded with {grade.versions}.")
    if grade.sandbox:
        lines.append(f"Your code ran in a {grade.sandbox}")
    lines.append("")
    for module in MODULES:
        lines.append(f"{module}.py")
        if module in grade.module_problems:
            lines.extend(_wrap(grade.module_problems[module], "  ! "))
            lines.append("    Its functions score 0; everything else is graded as usual.")
        for function in (f for f in FUNCTIONS if f.module == module):
            results = _function_results(grade, function.name)
            got, total = sum(r.points for r in results), sum(r.max_points for r in results)
            header = f"  {function.name} "
            score = f" {_points(got)} / {_points(total)}"
            lines.append(header + "." * max(2, WIDTH - len(header) - len(score)) + score)
            if module in grade.module_problems:
                continue
            if got == total:
                continue
            if all(r.verdict.not_implemented for r in results):
                lines.append(f"    {not_implemented_line(function)}")
                continue
            if results and all(r.verdict.measured for r in results):
                lines.append(f"    {results[0].verdict.measured}")
                continue
            for result in results:
                mark = "✓" if result.verdict.passed else "✗"
                lines.append(f"    {mark} {result.verdict.check.title}"
                             f"  [{_points(result.points)}/{_points(result.max_points)}]")
                feedback = check_feedback(result)
                lines.extend(row for line in feedback.splitlines() for row in _wrap(line, "        "))
            note = dependency_note(function, grade)
            if note:
                lines.append(f"    note: {note}")
        lines.append("")
    for module, printed in grade.printed.items():
        if printed.strip():
            lines.append(f"Your {module}.py printed (shown, never trusted):")
            lines.extend(f"  | {row}" for line in printed.strip().splitlines()[:PRINTED_LINES]
                         for row in _cut(line.expandtabs(), WIDTH - 4))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
