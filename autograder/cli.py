"""Command line: ``python -m autograder grade | grade-all | gradescope | release | demo | checks``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.grading import GraderError, grade
from autograder.printable import printable
from autograder.report import text_report, write_json
from autograder.rubric import RubricError, load_visibility
from autograder.runner import SECONDS_PER_FUNCTION
from autograder.spec import FUNCTIONS


def _grade(args: argparse.Namespace) -> int:
    if not args.submission.is_dir():
        print(f"error: {args.submission} is not a folder", file=sys.stderr)
        return 2
    try:
        result = grade(args.submission, args.reference, args.seed, args.time_limit)
        visibility = load_visibility(args.reference)
    except (GraderError, RubricError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json is not None:
        write_json(result, args.json, visibility)  # the same results.json grade-all writes
    print(text_report(result), end="")
    return 0


def _grade_all(args: argparse.Namespace) -> int:
    from autograder.batch import grade_all, progress_bar

    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("error: -j must be at least 1", file=sys.stderr)
        return 2
    try:
        done = grade_all(args.submissions, args.out, args.reference, args.jobs, args.scheduler, args.secret,
                         args.time_limit, progress_bar)
    except (GraderError, RubricError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    refused = f", not students {len(done.refused)}" if done.refused else ""
    print(f"graded {len(done.graded)}, already done {len(done.already_done)}, failed {len(done.failed)}{refused}; "
          f"{done.gradebook} lists {done.rows} students")
    for student, why in sorted(done.failed.items()):
        print(printable(f"  not graded: {student}: {why} (run again to retry)", multiline=False))  # named by students
    for entry, why in sorted(done.refused.items()):
        print(f"  not a student: {entry}: {why}")
    return 1 if done.failed else 0


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.gradescope import build_bundle

    try:
        names = build_bundle(args.out, args.reference)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({len(names)} files): upload it as the assignment's autograder on Gradescope")
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder.release import release_course

    try:
        written = release_course(args.reference, args.out)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"released {len(written)} files to {args.out}; no solution line leaked")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from autograder.demo import run_demo

    return run_demo(args.seed)


def _checks(_: argparse.Namespace) -> int:
    for function in FUNCTIONS:
        print(f"{function.name} ({function.file})")
        for check in function.checks:
            print(f"  {check.id:<26} {check.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    grade_parser = commands.add_parser("grade", help="grade one submission folder")
    grade_parser.add_argument("submission", type=Path, metavar="SUBMISSION_DIR",
                              help="folder with layers.py and/or rnn_layers.py")
    grade_parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, metavar="DIR",
                              help="reference solution folder (default: %(default)s)")
    grade_parser.add_argument("--json", type=Path, metavar="PATH", help="write Gradescope results.json here")
    grade_parser.add_argument("--seed", type=int, help="seed of the hidden cases (default: drawn now)")
    grade_parser.add_argument("--time-limit", type=float, default=SECONDS_PER_FUNCTION, metavar="SECONDS",
                              help="wall time the submission may spend on one function (default: %(default)g)")
    grade_parser.set_defaults(run=_grade)

    batch_parser = commands.add_parser("grade-all", help="grade every submission in a folder (one sub-folder "
                                       "per student); resumable")
    batch_parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                              help="one folder per student, named by the student's id")
    batch_parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                              help="where STUDENT/results.json, STUDENT/report.txt and gradebook.csv go")
    batch_parser.add_argument("-j", "--jobs", type=int, metavar="N", help="submissions graded at once "
                              "(default: one per core)")
    batch_parser.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask scheduler "
                              "(e.g. tcp://SCHEDULER:8786) instead of here")
    batch_parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, metavar="DIR",
                              help="reference solution folder (default: %(default)s)")
    batch_parser.add_argument("--secret", type=Path, metavar="FILE", help="secret the students' seeds are "
                              "derived from (default: DIR/.backprop_grading_secret, created if missing)")
    batch_parser.add_argument("--time-limit", type=float, default=SECONDS_PER_FUNCTION, metavar="SECONDS",
                              help="wall time a submission may spend on one function (default: %(default)g)")
    batch_parser.set_defaults(run=_grade_all)

    gradescope_parser = commands.add_parser("gradescope", help="build the Gradescope autograder zip")
    gradescope_parser.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="PATH",
                                   help="where to write the zip (default: %(default)s)")
    gradescope_parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, metavar="DIR",
                                   help="reference solution folder (default: %(default)s)")
    gradescope_parser.set_defaults(run=_gradescope)

    release_parser = commands.add_parser("release", help="generate the student release from the solutions")
    release_parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, metavar="DIR")
    release_parser.add_argument("--out", type=Path, default=DEFAULT_RELEASE, metavar="DIR")
    release_parser.set_defaults(run=_release)

    demo_parser = commands.add_parser("demo", help="grade the example submissions and print their reports")
    demo_parser.add_argument("--seed", type=int, help="seed of the hidden cases (default: drawn now)")
    demo_parser.set_defaults(run=_demo)

    commands.add_parser("checks", help="list every graded function and its checks").set_defaults(run=_checks)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
