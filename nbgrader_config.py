"""nbgrader configuration: this repository is the course.

solutions/backprop is nbgrader's source and assignment/backprop its release. Run nbgrader from this
folder (README, "TAs: grading with nbgrader"). Student submissions go to submitted/, nbgrader writes
autograded/, feedback/ and gradebook.db here; none of them is committed.
"""

import importlib.util
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

COURSE = Path(__file__).resolve().parent
if importlib.util.find_spec("autograder") is None:  # the kit not installed: use this checkout's
    sys.path.insert(0, str(COURSE))

from autograder.nbgrader import TrustedLayerGrades, release_hook  # noqa: E402

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "backprop-kit"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignment"
# Never copied into the release, the autograded folders or the feedback: the grader's own files.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".hypothesis", ".pytest_cache",
    "mistakes.py", "rubric.toml", "public_tests",
]

# generate_assignment copies layers.py and rnn_layers.py verbatim, solutions included: the kit's
# release rewrites them stripped (and adds the public tests) right after.
c.GenerateAssignment.post_convert_hook = release_hook(COURSE)

# The students' own code: without this, autograde overwrites it with the solution.
c.Autograde.exclude_overwriting = {"backprop": ["layers.py", "rnn_layers.py"]}
# A deleted grade cell comes back (and is graded) instead of keeping a stale score.
c.OverwriteCells.add_missing_cells = True
# Seconds per notebook cell; an infinite loop costs its own cell only.
c.Execute.timeout = 60

# Scores of the cells that check layer code come from the kit's grader (in this process, with the
# student's code in a child process), not from what the kernel printed.
c.Autograde.autograde_preprocessors = [
    Execute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedLayerGrades,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
