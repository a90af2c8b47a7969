"""nbgrader configuration: this repository is the course.

solutions/backprop is nbgrader's source and assignment/backprop its release; a course that teaches in
Vietnamese sets COURSE_LANGUAGE = "vi" below, and releases assignment-vi/backprop, the same assignment
translated, graded exactly as the English one (README, "Languages"). Run nbgrader from this folder
(README, "TAs: grading with nbgrader"). Student submissions go to submitted/, nbgrader writes
autograded/, feedback/ and gradebook.db here; none of them is committed.
"""

import importlib.util
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

COURSE = Path(__file__).resolve().parent
if importlib.util.find_spec("autograder") is None:  # the kit not installed: use this checkout's
    sys.path.insert(0, str(COURSE))

from autograder.course.release import release_dir, translated_release_hook  # noqa: E402
from autograder.integrations.nbgrader.answer_cells import TrustedAnswerGrades  # noqa: E402
from autograder.integrations.nbgrader.confined_execute import ConfinedExecute  # noqa: E402
from autograder.integrations.nbgrader.layer_cells import GradeLayersFirst, TrustedLayerGrades, release_hook  # noqa: E402
from autograder.integrations.nbgrader.sanitize import SanitizeOutputs  # noqa: E402
from autograder.integrations.nbgrader.submitted import ResetSchemaVersion, quarantine  # noqa: E402
from autograder.sandbox.kernels import UnconfinedError, refuse_unless_confinable  # noqa: E402

# Students' notebooks run only in confined kernels. Where this machine cannot confine them, autograde
# stops here, before it touches any submission (BACKPROP_UNSAFE_UNCONFINED_KERNELS=1 runs them anyway).
# Then, before nbgrader reads any submission, what it must not read (links, FIFOs, devices, huge
# notebooks) is moved to quarantined/.
if sys.argv[1:2] == ["autograde"]:
    try:
        refuse_unless_confinable()
    except UnconfinedError as error:
        print(f"nbgrader autograde: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    for moved in quarantine(COURSE):
        print(f"[backprop-kit] {moved}", file=sys.stderr)

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

# The language the students read: "en" (assignment/) or "vi" (assignment-vi/, written by `make release` from
# the same source). The source, the gradebook and the grading are the same in both.
COURSE_LANGUAGE = "en"
RELEASE_FOLDER = release_dir(COURSE / "assignment" / "backprop", COURSE_LANGUAGE).parent.name

c.CourseDirectory.course_id = "backprop-kit"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = RELEASE_FOLDER
# Never copied into the release, the autograded folders or the feedback: the grader's own files.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".hypothesis", ".pytest_cache",
    "mistakes.py", "rubric.toml", "public_tests", "*.po",
]

# generate_assignment copies layers.py and rnn_layers.py verbatim, solutions included: the kit's
# release rewrites them stripped (and adds the public tests) right after, in the course's language.
c.GenerateAssignment.post_convert_hook = (
    release_hook(COURSE) if COURSE_LANGUAGE == "en" else translated_release_hook(COURSE, COURSE_LANGUAGE))

# The students' own code: without this, autograde overwrites it with the solution.
c.Autograde.exclude_overwriting = {"backprop": ["layers.py", "rnn_layers.py"]}
# A deleted grade cell comes back (and is graded) instead of keeping a stale score.
c.OverwriteCells.add_missing_cells = True
# A cell whose schema version a student changed costs that student, not the whole run.
c.Autograde.sanitize_preprocessors = [ResetSchemaVersion, ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      OverwriteCells, CheckCellMetadata]
# The language students read the grader's cells and results.json in: "en" or "vi" (README, Languages). Empty:
# BACKPROP_LANG, else the locale of the process running nbgrader, else English. Each pass that writes needs it.
c.GradeLayersFirst.language = ""
c.TrustedLayerGrades.language = ""
c.TrustedAnswerGrades.language = ""
# Seconds per notebook cell; an infinite loop costs its own cell only.
c.Execute.timeout = 60

# The layer code is graded from the submitted files before any notebook of the student runs; the
# notebooks run in confined kernels; only plain text and pictures of their outputs are kept; the cells
# that check layer code and answers are scored by the kit (in this process, with the student's code in a
# sandboxed child), not from what the kernel printed.
c.Autograde.autograde_preprocessors = [
    GradeLayersFirst,
    ConfinedExecute,
    SanitizeOutputs,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedLayerGrades,
    TrustedAnswerGrades,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
