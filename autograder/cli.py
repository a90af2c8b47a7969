"""Command line: ``python -m autograder grade | grade-all | nbgrader-autograde | class-report | diff | export | seed |
gradescope | release | notebooks | demo | translations | checks``.

Every command is one function taking the parsed arguments and returning the exit status. Options that
several commands share (the reference, the seed, the time limit) are declared once, as parent parsers.
Errors a user can fix (a missing folder, a broken rubric, a machine without the sandbox, a language the kit
does not speak) are caught in one place, ``main``: they print ``error: ...`` and exit 2, after nothing was
graded or written. A command that takes ``--lang`` finds the language in ``args.language``, chosen before it
runs (``language.chosen``: the flag, else BACKPROP_LANG, else the locale, else English).
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core.language import UnknownLanguageError, chosen
from autograder.core.printable import printable
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import GraderError
from autograder.grading.rubric import RubricError
from autograder.sandbox.runner import SECONDS_PER_FUNCTION

if TYPE_CHECKING:
    from autograder.integrations.batch import BatchResult


class UsageError(Exception):
    """A command was given something it cannot work with; the message says what."""


def _folder(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder")
    return path


def _grade(args: argparse.Namespace) -> int:
    from autograder.core.files import write_atomically
    from autograder.grading.grade import grade
    from autograder.grading.reference import load_reference
    from autograder.outputs.feedback import Audience, build_feedback
    from autograder.outputs.report import render_text
    from autograder.outputs.results_json import write_json

    submission = _folder(args.submission)
    reference = load_reference(args.reference)
    result = grade(submission, reference, args.seed, args.time_limit)
    if args.json is not None:
        write_json(result, args.json, reference.visibility, args.language)  # the same results.json grade-all writes
    if args.html is not None:  # the student's page, as grade-all writes it beside report.txt
        from autograder.outputs.html_report import render_html

        write_atomically(args.html, render_html(build_feedback(result, Audience.STUDENT, args.language)))
    print(render_text(build_feedback(result, Audience(args.audience), args.language)), end="")
    return 0


def resume_command(args: argparse.Namespace) -> str:
    """The grade-all command line of ``args``, to run again (same folders, options and interpreter);
    preceded by ``cd`` to this folder if a path in it is relative, so it works pasted anywhere."""
    words = [sys.executable, "-m", "autograder", "grade-all", str(args.submissions), "--out", str(args.out)]
    if args.reference != DEFAULT_REFERENCE:
        words += ["--reference", str(args.reference)]
    if args.time_limit != SECONDS_PER_FUNCTION:
        words += ["--time-limit", f"{args.time_limit:g}"]
    for option, value in (("-j", args.jobs), ("--scheduler", args.scheduler), ("--secret", args.secret)):
        if value is not None:
            words += [option, str(value)]
    paths = (args.submissions, args.out, args.reference, args.secret)
    relative = any(path is not None and not Path(path).is_absolute() for path in paths)
    return f"cd {shlex.quote(str(Path.cwd()))} && {shlex.join(words)}" if relative else shlex.join(words)


def batch_summary(done: BatchResult, command: str) -> tuple[list[str], bool]:
    """What grade-all prints at the end, and whether it goes to stderr (a stopped run). Only a complete
    run names gradebook.csv; any other says that it was not written, how many remain, and how to finish."""
    from autograder.outputs.gradebook import GRADEBOOK

    named = [printable(f"  not graded: {student}: {why} (run again to retry)", multiline=False)  # by students
             for student, why in sorted(done.failed.items())]
    named += [f"  not a student: {entry}: {why}" for entry, why in sorted(done.refused.items())]
    book = f"{done.gradebook} lists {done.rows} students"
    if not done.complete:
        book = (f"{GRADEBOOK} not written: {len(done.remaining)} of {done.students} students have no result "
                f"yet ({done.gradebook} lists the {done.rows} graded; it is not the class's gradebook)")
    finish = [f"to finish, run: {command}"] if not done.complete else []
    if done.interrupted:
        how = "Ctrl-C (SIGINT)" if done.interrupted == signal.SIGINT else signal.Signals(done.interrupted).name
        stopped = (f"stopped by {how}: graded {len(done.graded)} in this run, {done.students - len(done.remaining)} "
                   f"of {done.students} students in all, {len(done.remaining)} remaining")
        return [stopped, book, *named, *finish], True
    refused = f", not students {len(done.refused)}" if done.refused else ""
    counts = f"graded {len(done.graded)}, already done {len(done.already_done)}, failed {len(done.failed)}{refused}"
    return [f"{counts}; {book}", *named, *finish], False


def _grade_all(args: argparse.Namespace) -> int:
    from autograder.integrations.batch import Terminated, class_report, grade_all, progress_bar, sigterm_stops

    submissions = _folder(args.submissions)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("-j must be at least 1")
    command = resume_command(args)
    try:
        with sigterm_stops():
            done = grade_all(submissions, args.out, args.reference, args.jobs, args.scheduler, args.secret,
                             args.time_limit, progress_bar, args.language)
    except KeyboardInterrupt as stop:  # before grading began: nothing was graded or removed
        signum = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
        print(f"stopped by {signal.Signals(signum).name} before grading began, nothing graded; "
              f"to grade, run: {command}", file=sys.stderr)
        return 128 + signum
    lines, stopped = batch_summary(done, command)
    for line in lines:
        print(line, file=sys.stderr if stopped else sys.stdout)
    if done.interrupted:
        return 128 + done.interrupted  # 130 for Ctrl-C, 143 for SIGTERM, as a shell reports them
    try:  # the grades are written: a failure here costs only the summary, never the exit status
        print(class_report(args.out, args.reference))
    except (Exception, KeyboardInterrupt) as error:
        print(printable(f"class report not written: {type(error).__name__}: {error}", multiline=False),
              file=sys.stderr)
    return 1 if done.failed else 0


def _nbgrader_autograde(args: argparse.Namespace) -> int:
    from autograder.integrations.batch import Terminated, progress_bar, sigterm_stops
    from autograder.integrations.nbgrader.parallel import autograde_class, summary

    course = _folder(args.course)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("-j must be at least 1")
    words = [sys.executable, "-m", "autograder", "nbgrader-autograde", args.assignment, "--course",
             str(course.resolve())]
    words += ["--scheduler", args.scheduler] if args.scheduler else ["-j", str(args.jobs)] if args.jobs else []
    command = shlex.join(words)
    try:
        with sigterm_stops():
            done = autograde_class(course, args.assignment, args.jobs, args.scheduler, args.force, progress_bar)
    except KeyboardInterrupt as stop:  # before grading began: nothing was graded
        signum = signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT
        print(f"stopped by {signal.Signals(signum).name} before grading began, nothing graded; to grade, run: "
              f"{command}", file=sys.stderr)
        return 128 + signum
    for student, log in sorted(done.logs.items()):
        print(printable(f"--- nbgrader's log of {student} ---", multiline=False), log, sep="\n", file=sys.stderr)
    for line in summary(done, command):
        print(line, file=sys.stderr if done.interrupted or done.failed else sys.stdout)
    return 128 + done.interrupted if done.interrupted else 1 if done.failed else 0


def _class_report(args: argparse.Namespace) -> int:
    from autograder.integrations.batch import class_report

    try:
        print(class_report(_folder(args.graded), args.reference))
    except ImportError as error:  # the class extra is not installed: class.json was written, class.html not
        raise UsageError(str(error)) from error
    return 0


def _seed(args: argparse.Namespace) -> int:
    from autograder.integrations.seeds import nbgrader_seed

    try:
        print(nbgrader_seed(_folder(args.course), args.student, args.assignment))
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.integrations.gradescope import build_bundle

    try:
        names = build_bundle(args.out, args.reference, args.language)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from error
    print(f"wrote {args.out} ({len(names)} files): upload it as the assignment's autograder on Gradescope")
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder.course.release import release_course

    try:
        written = release_course(args.reference, args.out)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    from autograder.core.language import LANGUAGES, SOURCE
    from autograder.course.release import release_dir

    folders = ", ".join(str(release_dir(args.out, lang)) for lang in LANGUAGES if lang != SOURCE)
    print(f"released {len(written)} files to {args.out} and, translated, {folders}; no solution line leaked")
    return 0


def _notebooks(_: argparse.Namespace) -> int:
    from autograder.course.notebooks import run_notebooks

    return run_notebooks()


def _demo(args: argparse.Namespace) -> int:
    from autograder.course.demo import run_demo

    return run_demo(args.seed, args.language)


def _graded(path: Path) -> Path:
    from autograder.outputs.gradebook import RESULTS

    if next(_folder(path).glob(f"*/{RESULTS}"), None) is None:
        raise UsageError(f"{path} is not a graded folder: it holds no STUDENT/{RESULTS} (grade-all --out writes them)")
    return path


def _diff(args: argparse.Namespace) -> int:
    from autograder.core.files import write_atomically
    from autograder.outputs.regrade_diff import diff_graded, render_diff

    report = diff_graded(_graded(args.old), _graded(args.new))
    if args.json is not None:
        write_atomically(args.json, json.dumps(report, indent=2) + "\n")
    print(render_diff(report), end="")
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder.core.files import write_atomically
    from autograder.outputs.lms_export import RosterError, export_grades

    graded = _graded(args.graded)
    try:
        done = export_grades(graded, args.roster, args.format, args.assignment, args.assignment_id, args.identifier)
    except RosterError as error:
        raise UsageError(str(error)) from error
    out = args.out or graded / f"{args.format}.csv"
    if out.is_dir():
        raise UsageError(f"{out} is a folder: say which file to write with --out")
    write_atomically(out, done.text)
    for message in done.messages:
        print(f"  {message}", file=sys.stderr)
    print(f"wrote {out}: {done.rows} students, for {args.format.capitalize()}'s gradebook import"
          + (f" ({len(done.messages)} rows left out, listed above)" if done.messages else ""))
    return 0


def _translations(args: argparse.Namespace) -> int:
    from autograder import KIT_ROOT
    from autograder.course.translations import DOMAINS, TRANSLATED, problems, update

    if args.check:
        found = [problem for domain in DOMAINS for language in TRANSLATED for problem in problems(domain, language)]
        for problem in found:
            print(f"  {problem}")
        print(f"{len(found)} messages to translate or mend" if found else "every catalog is complete and current")
        return 1 if found else 0
    for path in update():
        print(f"updated {path.relative_to(KIT_ROOT)}")
    left = [problem for domain in DOMAINS for language in TRANSLATED for problem in problems(domain, language)]
    print(f"{len(left)} messages still to translate (python -m autograder translations --check lists them)"
          if left else "every catalog is complete and current")
    return 0


def _checks(_: argparse.Namespace) -> int:
    for function in FUNCTIONS:
        print(f"{function.name} ({function.file})")
        for check in function.checks:
            print(f"  {check.id:<26} {check.title}")
    return 0


def _shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands take, each declared once."""
    reference = argparse.ArgumentParser(add_help=False)
    reference.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, metavar="DIR",
                           help="reference solution folder (default: %(default)s)")
    seed = argparse.ArgumentParser(add_help=False)
    seed.add_argument("--seed", type=int, help="seed of the hidden cases (default: drawn now)")
    time_limit = argparse.ArgumentParser(add_help=False)
    time_limit.add_argument("--time-limit", type=float, default=SECONDS_PER_FUNCTION, metavar="SECONDS",
                            help="wall time the submission may spend on one function (default: %(default)g)")
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", metavar="CODE", help="the language students read (en, vi; default: "
                          "BACKPROP_LANG, else the locale, else en)")
    return {"reference": reference, "seed": seed, "time_limit": time_limit, "language": language}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The backprop kit: grade "
                                     "submissions, release the assignment, build the Gradescope bundle.")
    commands = parser.add_subparsers(dest="command", required=True)
    shared = _shared_options()

    def command(name: str, run, help: str, *options: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, parents=[shared[option] for option in options])
        sub.set_defaults(run=run)
        return sub

    grade = command("grade", _grade, "grade one submission folder", "reference", "seed", "time_limit",
                    "language")
    grade.add_argument("submission", type=Path, metavar="SUBMISSION_DIR",
                       help="folder with layers.py and/or rnn_layers.py")
    grade.add_argument("--json", type=Path, metavar="PATH", help="write Gradescope results.json here")
    grade.add_argument("--html", type=Path, metavar="PATH", help="write the student's report as one HTML page "
                       "here (grade-all writes it as STUDENT/report.html)")
    grade.add_argument("--for", dest="audience", choices=["ta", "student"], default="ta",
                       help="print the TA's report, every hidden value included (the default), or the "
                            "student's, as report.txt, Gradescope and nbgrader show it")

    batch = command("grade-all", _grade_all, "grade every submission in a folder (one sub-folder per student); "
                    "resumable", "reference", "time_limit", "language")
    batch.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                       help="one folder per student, named by the student's id")
    batch.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="where STUDENT/results.json, STUDENT/report.txt, STUDENT/report.html and gradebook.csv "
                       "go")
    batch.add_argument("-j", "--jobs", type=int, metavar="N", help="submissions graded at once "
                       "(default: one per core)")
    batch.add_argument("--scheduler", metavar="ADDRESS", help="grade on this Dask scheduler "
                       "(e.g. tcp://SCHEDULER:8786) instead of here")
    batch.add_argument("--secret", type=Path, metavar="FILE", help="secret the students' seeds are "
                       "derived from (default: DIR/.backprop_grading_secret, created if missing)")

    autograde = command("nbgrader-autograde", _nbgrader_autograde, "nbgrader autograde of every submitted "
                        "student, N at a time, with the same results; resumable")
    autograde.add_argument("assignment", metavar="ASSIGNMENT", help="the nbgrader assignment id, e.g. backprop")
    autograde.add_argument("--course", type=Path, default=Path.cwd(), metavar="DIR",
                           help="the nbgrader course folder (default: here)")
    autograde.add_argument("-j", "--jobs", type=int, metavar="N", help="students autograded at once "
                           "(default: one per core)")
    autograde.add_argument("--scheduler", metavar="ADDRESS", help="autograde on this Dask scheduler instead; every "
                           "worker must see the course folder at the same path (a shared file system) and run as "
                           "root, like nbgrader autograde here")
    autograde.add_argument("--force", action="store_true", help="autograde again students already autograded")

    report = command("class-report", _class_report, "summarise a graded folder for the TA: class.html and "
                     "class.json (what to re-teach, common mistakes)", "reference")
    report.add_argument("graded", type=Path, metavar="GRADED_DIR", help="what grade-all --out (or nbgrader with "
                        "the kit) wrote: one STUDENT/results.json per student")

    diff = command("diff", _diff, "compare two grade-all folders of the same class: whose scores changed, "
                   "on which checks, and why")
    diff.add_argument("old", type=Path, metavar="OLD_GRADED", help="grade-all --out folder before the change")
    diff.add_argument("new", type=Path, metavar="NEW_GRADED", help="grade-all --out folder after it (same secret)")
    diff.add_argument("--json", type=Path, metavar="PATH", help="also write the diff as JSON here")

    export = command("export", _export, "write the class's totals as a Canvas or Moodle gradebook import file")
    export.add_argument("graded", type=Path, metavar="GRADED_DIR", help="a grade-all --out folder")
    export.add_argument("--format", choices=["canvas", "moodle"], required=True, help="whose import format")
    export.add_argument("--roster", type=Path, required=True, metavar="ROSTER.csv",
                        help="CSV mapping the kit's student id (column 'student') to the LMS's: name, canvas_id, "
                        "sis_user_id, sis_login_id, section (Canvas); email, idnumber or username (Moodle)")
    export.add_argument("--out", type=Path, metavar="PATH", help="where to write it (default: GRADED_DIR/FORMAT.csv)")
    export.add_argument("--assignment", default="Backprop", metavar="NAME",
                        help="the assignment's (Moodle: grade item's) name in the LMS (default: %(default)s)")
    export.add_argument("--assignment-id", metavar="ID", help="Canvas: the assignment's id, so the column "
                        "'NAME (ID)' updates that assignment (without it Canvas matches by name or makes one)")
    export.add_argument("--identifier", choices=["email", "idnumber", "username"],
                        help="Moodle: the roster column Moodle matches users by (default: the first the roster has)")

    seed = command("seed", _seed, "print the hidden seed nbgrader's autograde uses for a student")
    seed.add_argument("student", metavar="STUDENT", help="the student's nbgrader id")
    seed.add_argument("--assignment", default="backprop", help="assignment id (default: %(default)s)")
    seed.add_argument("--course", type=Path, default=Path.cwd(), metavar="DIR",
                      help="the nbgrader course folder (default: here)")

    bundle = command("gradescope", _gradescope, "build the Gradescope autograder zip (its results in --lang)",
                     "reference", "language")
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="PATH",
                        help="where to write the zip (default: %(default)s)")

    release = command("release", _release, "generate the student release from the solutions", "reference")
    release.add_argument("--out", type=Path, default=DEFAULT_RELEASE, metavar="DIR")

    command("notebooks", _notebooks, "run the course's notebooks headless, solved and as released")
    command("demo", _demo, "grade the example submissions and print their reports", "seed", "language")
    translations = command("translations", _translations, "bring the message catalogs up to date with the "
                           "sources and compile them (make translations)")
    translations.add_argument("--check", action="store_true", help="change nothing; list what is untranslated, "
                              "fuzzy, stale or not compiled, and exit 1 if anything is")
    command("checks", _checks, "list every graded function and its checks")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "lang"):
            args.language = chosen(args.lang)
        return int(args.run(args))
    except (UsageError, GraderError, RubricError, UnknownLanguageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
