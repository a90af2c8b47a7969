"""``make demo``: grade real submissions and print their reports.

The reference solution (full marks), the untouched student release (zero, explained calmly) and the
example submissions kept in ``examples/`` (partial marks with pinpointed messages).
"""

from __future__ import annotations

from pathlib import Path

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE, EXAMPLES
from autograder.core.text import T_, speaker
from autograder.grading.grade import grade, new_seed
from autograder.outputs.report import _width, text_report


def demo_submissions() -> list[tuple[str, Path]]:
    """(title, folder) of every submission the demo grades, in the order it shows them (a title is a Text)."""
    examples = [(T_("example submission '{name}'", name=path.name), path)
                for path in sorted(EXAMPLES.iterdir()) if path.is_dir()]
    return [(T_("the reference solution"), DEFAULT_REFERENCE), (T_("the untouched student release"), DEFAULT_RELEASE),
            *examples]


def run_demo(seed: int | None = None, language: str = "en") -> int:
    """Print every report (in ``language``) and a summary; return 1 if the kit misjudges its own reference or
    skeleton."""
    seed = new_seed() if seed is None else seed
    say = speaker(language)
    summary = []
    for title, folder in demo_submissions():
        result = grade(folder, DEFAULT_REFERENCE, seed)
        heading = say(T_("Grading {title}", title=title))
        print(f"{'=' * 100}\n{heading}\n{'=' * 100}")
        print(text_report(result, language=language))
        summary.append((title, result))
    print(say(T_("Summary (hidden cases from seed {seed}):", seed=seed)))
    for title, result in summary:
        print(f"  {_padded(say(title), 60)} {result.score:>5g} / {result.max_score:g}   ({result.seconds:.1f} s)")
    reference, release = summary[0][1], summary[1][1]
    if reference.score != reference.max_score or release.score != 0:
        print(say(T_("The reference must get full marks and the untouched release zero: the kit is misconfigured.")))
        return 1
    return 0


def _padded(text: str, width: int) -> str:
    """``f"{text:<width}"`` in columns: a combining mark takes none (Vietnamese written decomposed)."""
    return text + " " * max(0, width - _width(text))
