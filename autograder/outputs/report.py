"""The text report: a ``Feedback`` (``feedback``) as lines of at most WIDTH columns.

What the student's code wrote (its printed output, its errors) arrives already ``printable``
(``replies``, ``runner``). The text report also keeps every line of it inside WIDTH columns: a line
the terminal wraps itself continues at column 0, outside the report's margins, where it passes for
a line of the report's own ("Score: 100 / 100").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from autograder.core.language import SOURCE
from autograder.core.spec import MODULES
from autograder.core.text import ENGLISH, T_, Say
from autograder.grading.grade import Grade
from autograder.outputs.feedback import Audience, Feedback, FunctionFeedback, build_feedback

WIDTH = 78
PRINTED_LINES = 20


def _points(value: float) -> str:
    return f"{value:g}"


def _columns(char: str) -> int:
    """How many terminal columns ``char`` takes: 2 for wide East Asian characters, 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _width(text: str) -> int:
    """How many terminal columns ``text`` takes (ASCII: one per character, the common case, counted fast)."""
    return len(text) if text.isascii() else sum(map(_columns, text))


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
    rows break between words, and a word wider than a row is cut into rows of its own."""
    further = " " * len(indent) + "  "
    narrow = WIDTH - len(further)
    rows: list[str] = []
    row = ""
    for word in text.split(" "):
        if _width(word) > narrow:
            rows += [*([row] if row else []), *_cut(word, narrow)]
            row = ""
            continue
        longer = f"{row} {word}" if row else word
        if row and _width(longer) > WIDTH - len(further if rows else indent):
            rows.append(row)
            longer = word
        row = longer
    return [f"{further if number else indent}{piece}" for number, piece in enumerate([*rows, *([row] if row else [])])]


def function_lines(function: FunctionFeedback, indent: str = "    ", say: Say = ENGLISH) -> list[str]:
    """What the text report says under a function's score line: its summary, or each check and the notes
    (``say``: the feedback's language, ``Feedback.say``)."""
    if function.passed and not function.summary:
        return []
    if function.summary:
        return _wrap(function.summary, indent)
    lines = []
    for check in function.checks:
        mark = "✓" if check.passed else "✗"
        lines.append(f"{indent}{mark} {check.title}  [{_points(check.points)}/{_points(check.max_points)}]")
        lines.extend(row for line in check.lines(say) for row in _wrap(line, indent + "    "))
    lines.extend(row for note in function.notes for row in _wrap(say(T_("note: {note}", note=note)), indent))
    return lines


def render_text(feedback: Feedback) -> str:
    """The readable report of ``feedback``, for its audience."""
    first = 2 if feedback.audience is Audience.TA else 1
    lines = [*_facts(feedback, feedback.facts[:first]),
             feedback.say(T_("Score: {score} / {max_score}   (graded in {seconds:.1f} s)",
                             score=_points(feedback.score), max_score=_points(feedback.max_score),
                             seconds=feedback.seconds)),
             *_facts(feedback, feedback.facts[first:]), ""]
    for module in MODULES:
        lines.append(f"{module}.py")
        if module in feedback.module_problems:
            lines.extend(_wrap(feedback.module_problems[module], "  ! "))
            lines.append("    " + feedback.say(T_("Its functions score 0; everything else is graded as usual.")))
        for function in feedback.in_module(module):
            header = f"  {function.name} "
            score = f" {_points(function.points)} / {_points(function.max_points)}"
            lines.append(header + "." * max(2, WIDTH - len(header) - len(score)) + score)
            if module not in feedback.module_problems or function.measured:
                lines.extend(function_lines(function, say=feedback.say))
        lines.append("")
    for module, printed in feedback.printed.items():
        if printed.strip():
            lines.append(feedback.say(T_("Your {module}.py printed (shown, never trusted):", module=module)))
            lines.extend(f"  | {row}" for line in printed.strip().splitlines()[:PRINTED_LINES]
                         for row in _cut(line.expandtabs(), WIDTH - 4))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _facts(feedback: Feedback, facts: Iterable[str]) -> list[str]:
    """The report's facts, one line each in English (as they always were); wrapped to WIDTH in another
    language, whose words were never laid out in those lines."""
    if feedback.language == SOURCE:
        return list(facts)
    return [row for fact in facts for row in _wrap(fact, "")]


def text_report(grade: Grade, audience: Audience = Audience.TA, language: str = "en") -> str:
    """The readable report of ``grade``: everything for the TA (the default), or what a student may read."""
    return render_text(build_feedback(grade, audience, language))
