"""nbgrader, trusted: grade cells that check layer code are scored by the kit's grader, not by the kernel.

nbgrader scores a grade cell from whatever the student's kernel printed into it, so a notebook that
rebinds a helper or patches ``np.allclose`` scores what it likes. Two passes replace that:

- ``GradeLayersFirst``, the first autograde preprocessor, grades the *submitted* ``.py`` files with
  ``autograder.grading.grade.grade`` (exactly as ``python -m autograder grade`` does: the student's code
  runs only in the grader's sandboxed child) before the student's notebook starts, and takes out of
  the autograded folder what nbgrader copied through a symbolic link;
- ``TrustedLayerGrades`` runs in the TA's own process after ``Execute`` and before
  ``SaveAutoGrades``: for every grade cell named after a graded function (``layers_sigmoid_backward``,
  ``rnn_layers_rnn_backward``, ...) it replaces the cell's outputs with that grade's verdict: the
  feedback as a ``display_data`` (HTML with a picture of each wrong tensor, and the same feedback as
  plain text) and the score as a float ``execute_result``, which nbgrader reads as partial credit
  (it reads the score from the ``execute_result`` only, and skips a ``display_data``). The HTML is the
  kit's own, every text in it escaped (``html_report``); it is added after ``SanitizeOutputs``, which
  keeps no HTML of the student's kernel.

The cells and the results.json are in the course's ``language`` (a traitlet of both passes, set in
``nbgrader_config.py``; empty: ``language.chosen()``, BACKPROP_LANG then the locale of nbgrader's process).

The hidden cases come from a seed derived from a course secret kept beside the gradebook, never from
anything the student controls; neither the seed nor any hidden case shows up in the cell.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Unicode

from autograder.core.files import write_atomically
from autograder.core.language import chosen
from autograder.core.printable import printable
from autograder.core.spec import FUNCTIONS, GradedFunction
from autograder.core.text import T_, speaker
from autograder.course.release import find_leaks, release
from autograder.grading.grade import Grade, Result, grade
from autograder.grading.reference import REFERENCE_FILES, Reference, load_reference
from autograder.integrations.seeds import SECRET_NAME, course_seed, secret_path, submission_digest
from autograder.outputs.feedback import Audience, build_feedback
from autograder.outputs.gradebook import RESULTS
from autograder.outputs.html_report import function_html
from autograder.outputs.report import function_lines
from autograder.outputs.results_json import dumps, gradescope_results
from autograder.sandbox import runner

SCORE_DIGITS = 6


def grade_id(function: GradedFunction) -> str:
    """The grade id of the notebook cell that checks ``function``: its module, then its name."""
    return f"{function.module}_{function.name}"


LAYER_CELLS = {grade_id(function): function for function in FUNCTIONS}


# ---------------------------------------------------------------------------------------------
# Feedback


def _points(value: float) -> str:
    return f"{value:g}"


def _lead(function: GradedFunction, grade_: Grade, score: float, points: float, language: str) -> list[str]:
    say = speaker(language)
    lines = [say(T_("{name}: {score} / {points} points, graded by the course's grader from your submitted {file} "
                    "on hidden cases (what this cell printed in your notebook is not used).", name=function.name,
                    score=_points(score), points=_points(points), file=function.file))]
    if grade_.versions:
        lines.append("  " + say(T_("graded with {versions}", versions=grade_.versions)))
    return lines


def cell_feedback(function: GradedFunction, results: list[Result], grade_: Grade, score: float, points: float,
                  language: str = "en") -> str:
    """What the student reads in the cell, in ``language``: the score, then what every report says of this
    function to a student (``feedback``, ``Audience.STUDENT``): each check, every finding described by its
    case's kind, the crash and its line, the likely cause, the known mistakes; never the seed or a hidden
    value."""
    lines = _lead(function, grade_, score, points, language)
    feedback = build_feedback(grade_, Audience.STUDENT, language)
    problem = feedback.module_problems.get(function.module)
    if problem:
        lines.append(f"  ! {problem}")
        if not any(f.name == function.name and f.measured for f in feedback.functions):
            return "\n".join(lines)
    if any(f.name == function.name for f in feedback.functions):
        lines.extend(function_lines(feedback.of(function.name), indent="  ", say=feedback.say))
    return "\n".join(lines)


def cell_html(function: GradedFunction, grade_: Grade, score: float, points: float, language: str = "en") -> str:
    """``cell_feedback`` as an HTML fragment (``html_report.function_html``): the same lines, and a
    picture of each wrong tensor."""
    feedback = build_feedback(grade_, Audience.STUDENT, language)
    lead = [line.strip() for line in _lead(function, grade_, score, points, language)]
    if not any(f.name == function.name for f in feedback.functions):
        return function_html(None, lead, feedback.say)
    return function_html(feedback.of(function.name), lead, feedback.say)


def cell_score(results: list[Result], points: float) -> float:
    """The cell's score: the grader's fraction of its rubric points, scaled to the cell's points.

    Clamped to [0, points] after rounding: nbgrader aborts a student's whole autograde on a partial
    credit above the cell's points.
    """
    total = sum(result.max_points for result in results)
    got = sum(result.points for result in results)
    fraction = got / total if total > 0 else 0.0
    return min(points, max(0.0, round(points * fraction, SCORE_DIGITS)))


# ---------------------------------------------------------------------------------------------
# The preprocessor


_grades: dict[tuple[str, int, str], Grade] = {}  # one grade per submission and seed, shared by its notebooks
_references: dict[tuple[str, str], Reference] = {}  # one autograde run grades every student against one load


def _loaded(reference: Path) -> Reference:
    """The reference in ``reference``, loaded once per content (a TA who edits it between runs is seen)."""
    files = [reference / name for name in REFERENCE_FILES if (reference / name).is_file()]
    hashed = hashlib.sha256(b"".join(path.name.encode() + b"\0" + path.read_bytes() for path in files))
    key = (str(reference.resolve()), hashed.hexdigest())
    if key not in _references:
        _references[key] = load_reference(reference)
    return _references[key]


def grade_submission(submitted: Path, reference: Path, seed: int, seconds_per_function: float) -> Grade:
    """Grade the student modules of ``submitted`` exactly as ``python -m autograder grade`` does, once per
    content and seed: the same folder, the same reader (regular files only, no symlinks, size and
    encoding limits), the same sandbox."""
    key = (str(submitted.resolve()), seed, submission_digest(submitted))
    if key not in _grades:
        _grades[key] = grade(submitted, _loaded(reference), seed, seconds_per_function)
    return _grades[key]


class _LayerGrading(NbGraderPreprocessor):
    """What both layer-grading passes share: where the submission, the reference and the seed are."""

    seconds_per_function = Float(
        runner.SECONDS_PER_FUNCTION, help="Wall time a submission may spend on one graded function."
    ).tag(config=True)
    secret_file = Unicode(
        "", help=f"The course secret the hidden seed is derived from (default: {SECRET_NAME} beside the gradebook)."
    ).tag(config=True)

    language = Unicode(
        "", help="The language students read their cells and results.json in: en or vi (README, Languages). "
        "Empty: BACKPROP_LANG, else the locale of the process running nbgrader, else en. Set it on both "
        "passes (GradeLayersFirst, TrustedLayerGrades), as nbgrader_config.py does."
    ).tag(config=True)

    def reader_language(self) -> str:
        """``language``, checked (an unknown one raises ``UnknownLanguageError``), or ``language.chosen()``."""
        return chosen(self.language or None)

    results_directory = Unicode(
        "graded", help="Where the TA's copy of each student's results.json goes, as grade-all --out writes it, "
        "for `python -m autograder class-report`: {this}/{assignment}/{student}/results.json, relative to the "
        "course root. Never inside the autograded or feedback folders, which students may get back."
    ).tag(config=True)

    def write_results(self, resources: ResourcesDict, result: Grade) -> Path:
        """Write the student's results.json (with the seed: the TA's) into ``results_directory``."""
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        root = Path(coursedir.root)
        folder = (root / self.results_directory / info["assignment"] / info["student"]).resolve()
        for students in (coursedir.autograded_directory, coursedir.feedback_directory):
            if folder.is_relative_to((root / students).resolve()):
                raise ValueError(f"results_directory {self.results_directory!r} lies inside {students}/, "
                                 f"which students may get back")
        folder.mkdir(parents=True, exist_ok=True)
        reference = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        write_atomically(folder / RESULTS, dumps(gradescope_results(result, _loaded(reference).visibility,
                                                                    language=self.reader_language())))
        return folder / RESULTS

    def layer_grade(self, resources: ResourcesDict) -> Grade:
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        reference = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        secret = Path(self.secret_file) if self.secret_file else secret_path(info["db_url"], Path(coursedir.root))
        seed = course_seed(secret, info["assignment"], info["student"], submitted)
        result = grade_submission(submitted, reference, seed, self.seconds_per_function)
        self.log.info("Graded the layer code of %s with the course seed in %.1f s", info["student"], result.seconds)
        return result


def drop_followed_links(submitted: Path, autograded: Path) -> list[str]:
    """Remove from ``autograded`` what nbgrader copied there through a symbolic link of ``submitted``.

    nbgrader copies a submission with the TA's rights and follows links, so a ``layers.py`` or a
    ``notes.txt`` linking to the reference (or to any file of the machine) would reach the kernel's
    folder and the student's feedback. Returns the paths removed, relative to the folder.
    """
    removed = []
    for top, folders, files in os.walk(submitted, followlinks=False):
        for name in [*folders, *files]:
            path = Path(top) / name
            if not path.is_symlink():
                continue
            copy = autograded / path.relative_to(submitted)
            if copy.is_dir() and not copy.is_symlink():
                shutil.rmtree(copy, ignore_errors=True)
            elif os.path.lexists(copy):
                copy.unlink()
            removed.append(str(path.relative_to(submitted)))
    return removed


class GradeLayersFirst(_LayerGrading):
    """The first autograde pass, before the notebook's kernel starts: grade the submitted ``.py`` files as
    they were submitted, and take out of the autograded folder whatever nbgrader copied through a
    symbolic link. Nothing a notebook does can then reach the layer code that is graded."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, info["student"], info["assignment"]))
        for name in drop_followed_links(submitted, autograded):
            self.log.warning("%s: %s is a symbolic link; it was not copied for grading", info["student"],
                             printable(name, multiline=False))  # a name the student chose: no escape codes
        if any(TrustedLayerGrades.function_of(cell) is not None for cell in nb.cells):
            self.write_results(resources, self.layer_grade(resources))  # for class-report
        return nb, resources


class TrustedLayerGrades(_LayerGrading):
    """Score every grade cell that checks layer code with the kit's sandboxed grader (after ``Execute``)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        cells = [cell for cell in nb.cells if cell.cell_type == "code" and self.function_of(cell) is not None]
        if not cells:
            return nb, resources
        result = self.layer_grade(resources)
        language = self.reader_language()
        for cell in cells:
            self._score(cell, result, language)
        return nb, resources

    @staticmethod
    def function_of(cell: NotebookNode) -> GradedFunction | None:
        """The graded function whose grade cell this is, or None."""
        if cell.cell_type != "code":
            return None
        metadata = cell.metadata.get("nbgrader", {})
        return LAYER_CELLS.get(metadata.get("grade_id", "")) if metadata.get("grade") else None

    def _score(self, cell: NotebookNode, result: Grade, language: str = "en") -> None:
        function = self.function_of(cell)
        assert function is not None  # only grade cells of graded functions are scored
        points = float(cell.metadata["nbgrader"]["points"])
        results = [r for r in result.results if r.verdict.function.name == function.name]
        score = cell_score(results, points)
        feedback = cell_feedback(function, results, result, score, points, language)
        page = cell_html(function, result, score, points, language)
        cell.outputs = [
            new_output("display_data", data={"text/html": page, "text/plain": feedback + "\n"}),
            new_output("execute_result", data={"text/plain": repr(score)}, execution_count=cell.get("execution_count")),
        ]


# ---------------------------------------------------------------------------------------------
# generate_assignment: the kit strips the .py files nbgrader copied verbatim


def release_hook(course_root: Path, source: str = "solutions", release_folder: str = "assignment"):
    """A ``GenerateAssignment.post_convert_hook`` that replaces what nbgrader copied by the kit's release.

    nbgrader copies every non-notebook file of the source verbatim, solution regions and all; this
    rewrites the release's modules with their solutions stripped and fails on any leak. nbgrader only
    logs a failing hook, so the message also goes to stderr; ``make release`` checks again.
    """

    def hook(assignment: str, student: str, notebooks: list[str]) -> None:
        solutions = Path(course_root) / source / assignment
        released = Path(course_root) / release_folder / assignment
        release(solutions, released)
        leaks = find_leaks(solutions, released)
        if leaks:
            print("error: solution lines found in the release:\n  " + "\n  ".join(leaks), file=sys.stderr)
            raise RuntimeError(f"{len(leaks)} solution line(s) leaked into {released}")

    return hook
