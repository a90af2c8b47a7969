"""How right are the grader's verdicts? Grade both corpora over many seeds and tabulate.

``python tools/verdict_report.py`` (``make verdicts``) grades the reference and every correct
variant in ``tests/corpus/correct`` (must get full marks: anything else is a false failure) and
every mutant in ``tests/corpus/buggy`` (must lose points in its EXPECT function and nowhere else
but ALSO, and should be diagnosed as its MISTAKE), each over many hidden-case seeds, through the
real grading path (child process included). An entry whose outcome changes with the seed is flaky.
The grading and judging are ``tests/corpus_verdicts.py``; the CI test (``tests/grading/test_verdicts.py``)
runs the same code on fewer seeds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from corpus_verdicts import (  # tests/corpus_verdicts.py
    Outcome,
    collect,
    flaky_entries,
    is_caught,
    is_diagnosed,
    is_false_failure,
    problems,
)

from autograder.core.spec import FUNCTIONS


def table(outcomes: list[Outcome]) -> str:
    """One row per graded function and a total: caught, diagnosed, false failures, flaky entries."""
    flaky = flaky_entries(outcomes)
    rows = []
    header = (f"{'function':<22}{'mutants':>8}{'caught':>16}{'diagnosed':>16}{'correct':>9}"
              f"{'false failures':>16}{'flaky':>7}")

    def row(label: str, selected: list[Outcome]) -> str:
        buggy = [o for o in selected if o.entry.kind == "buggy"]
        clean = [o for o in selected if o.entry.kind != "buggy"]
        caught = sum(map(is_caught, buggy))
        diagnosed = sum(map(is_diagnosed, buggy))
        false = sum(map(is_false_failure, clean))
        names = {o.entry.name for o in selected}

        def ratio(part: int, whole: int) -> str:
            return f"{part}/{whole} {100 * part / whole:3.0f}%" if whole else "-"

        return (f"{label:<22}{len({o.entry.name for o in buggy}):>8}{ratio(caught, len(buggy)):>16}"
                f"{ratio(diagnosed, len(buggy)):>16}{len({o.entry.name for o in clean}):>9}"
                f"{ratio(false, len(clean)):>16}{len(names & flaky):>7}")

    for function in FUNCTIONS:
        selected = [o for o in outcomes if (o.entry.expect or (o.entry.graded[0] if o.entry.kind == "correct"
                                                                   else "")) == function.name]
        rows.append(row(function.name, selected))
    rows.append(row("reference (all)", [o for o in outcomes if o.entry.kind == "reference"]))
    rows.append(row("total", outcomes))
    return "\n".join([header, "-" * len(header), *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--correct-seeds", type=int, default=200, help="seeds for the reference and variants")
    parser.add_argument("--buggy-seeds", type=int, default=50, help="seeds for the mutants")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    clean = list(range(10_000, 10_000 + args.correct_seeds))
    buggy = list(range(20_000, 20_000 + args.buggy_seeds))
    outcomes = collect({"reference": clean, "correct": clean, "buggy": buggy}, args.workers)
    print(f"Verdicts over {args.correct_seeds} seeds per correct entry and {args.buggy_seeds} per mutant:\n")
    print(table(outcomes))
    missing = [o for o in outcomes if o.entry.kind == "buggy" and not is_diagnosed(o)]
    undiagnosed = sorted({(o.entry.name, o.entry.mistake, tuple(sorted(o.named))) for o in missing})
    if undiagnosed:
        print("\nNot diagnosed as their mistake (mutant, expected, named instead):")
        print("\n".join(f"  {name}: {mistake} -> {list(named) or 'nothing'}" for name, mistake, named in undiagnosed))
    lines = problems(outcomes)
    print("\n" + ("\n".join(lines[:40]) if lines else "No false failures, no missed mutants."))
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main())
