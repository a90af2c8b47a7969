"""What nbgrader may read of the submissions: regular files and folders, notebooks of a sane size.

nbgrader reads and copies ``submitted/STUDENT/ASSIGNMENT/`` with the TA's rights and follows links,
before any preprocessor runs. So a notebook that is a symbolic link to the course's solution (or to a
classmate's notebook) is graded as the student's; a FIFO named like a notebook hangs autograde for
everyone after it; a link to ``/dev/zero`` fills the disk; a 300 MB notebook takes gigabytes of memory.

``quarantine`` runs first, when ``nbgrader autograde`` loads the course configuration, before nbgrader
looks at any submission. Every entry that is not a regular file or folder (links, FIFOs, sockets,
devices), every file above ``MAX_FILE_BYTES``, and the files past ``MAX_OTHER_BYTES`` or ``MAX_OTHER_FILES``
of those that are not the course's (neither a notebook nor a graded module: nbgrader copies each of them
twice, into ``autograded/`` and ``feedback/``, a sparse file of 1 GB as 1 GB) are moved, whole, to
``quarantined/STUDENT/ASSIGNMENT/`` beside ``submitted/``. Nothing is deleted, and the TA can look at
it; a folder that is a link goes whole. A notebook moved away is replaced by the released one,
unanswered: that student is graded as if they had not written that notebook, and keeps the rest.

``ResetSchemaVersion`` runs first among nbgrader's sanitizing preprocessors: a cell whose nbgrader
``schema_version`` a student changed would otherwise end the whole autograde run (nbgrader's
``CheckCellMetadata`` lets ``SchemaTooNewError`` through), not only that student's.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.core.printable import printable
from autograder.core.spec import MODULE_FILES

MAX_FILE_BYTES = 32 << 20  # any one file; the course's notebooks with their plots are ~1 MB
MAX_OTHER_BYTES = 64 << 20  # all of one submission's files that are not the course's (notes, data, pictures)
MAX_OTHER_FILES = 1000  # and as many of them, folders included
QUARANTINE = "quarantined"
TIMESTAMP = "timestamp.txt"  # nbgrader's record of when the student submitted (late penalties read it)
SCHEMA_VERSION = 3


def unsafe_entries(folder: Path, released: Path | None = None) -> list[tuple[Path, str]]:
    """(path, why) of every entry below ``folder`` (``submitted/``) that nbgrader must not read, without
    following links, in name order (so the same files are kept on every run). The course's own files, which
    the bounds on the others leave out, are the graded modules and the notebooks ``released/ASSIGNMENT/``
    holds, at the top of a submission."""
    found = []
    other_bytes: dict[tuple[str, ...], int] = {}  # per submission (STUDENT, ASSIGNMENT)
    other_files: dict[tuple[str, ...], int] = {}
    for top, folders, files in os.walk(folder, followlinks=False):
        folders.sort()
        for name in [*folders, *sorted(files)]:
            path = Path(top) / name
            info = os.lstat(path)
            relative = path.relative_to(folder).parts
            if stat.S_ISLNK(info.st_mode):
                found.append((path, "is a symbolic link"))
            elif not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                found.append((path, "is not a regular file"))
            elif info.st_size > MAX_FILE_BYTES:  # the size it is copied at, sparse or not
                found.append((path, f"is over {MAX_FILE_BYTES >> 20} MB"))
            elif len(relative) > 2 and not (len(relative) == 3 and _the_courses(name, relative[1], released)):
                submission = relative[:2]
                other_files[submission] = other_files.get(submission, 0) + 1
                other_bytes[submission] = other_bytes.get(submission, 0) + info.st_size
                if other_files[submission] > MAX_OTHER_FILES:
                    found.append((path, f"is past the {MAX_OTHER_FILES} files a submission may hold besides "
                                        "its notebooks and modules"))
                elif other_bytes[submission] > MAX_OTHER_BYTES:
                    found.append((path, f"would take the submission's files besides its notebooks and modules "
                                        f"over {MAX_OTHER_BYTES >> 20} MB"))
        folders[:] = [name for name in folders if not os.path.islink(os.path.join(top, name))
                      and Path(top, name) not in {path for path, _ in found}]
    return found


def _the_courses(name: str, assignment: str, released: Path | None) -> bool:
    """A file the course gave out, at the top of a submission of ``assignment``: a graded module, one of
    the released notebooks (any other notebook counts as the student's own), or nbgrader's timestamp."""
    if name in MODULE_FILES or name == TIMESTAMP:
        return True
    return released is not None and name.endswith(".ipynb") and (released / assignment / name).is_file()


def _move_aside(course: Path, path: Path, submitted: Path) -> Path:
    target = course / QUARANTINE / path.relative_to(submitted)
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(target):
        shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    os.rename(path, target)
    return target


def quarantine(course: Path, submitted: str = "submitted", release: str = "assignment") -> list[str]:
    """Move every unsafe entry of every submission (``submitted/STUDENT/ASSIGNMENT/...``) aside; one line
    per entry moved, for the TA."""
    moved: list[str] = []
    root = course / submitted
    if not root.is_dir():
        return moved
    for path, why in unsafe_entries(root, course / release):
        relative = path.relative_to(root)
        target = _move_aside(course, path, root)
        released = course / release / Path(*relative.parts[1:])  # the same file in the release
        if path.suffix == ".ipynb" and len(relative.parts) == 3 and released.is_file() and not released.is_symlink():
            shutil.copyfile(released, path)  # that notebook is graded as unanswered
        # File names are the student's: shown to the TA without the escape codes they may hold.
        moved.append(printable(f"{relative} {why}: moved to {target.relative_to(course)}", multiline=False))
    return moved


class ResetSchemaVersion(NbGraderPreprocessor):
    """Put nbgrader's metadata schema version back where a student changed it."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        for cell in nb.cells:
            metadata = cell.get("metadata", {}).get("nbgrader")
            if isinstance(metadata, dict) and metadata.get("schema_version") != SCHEMA_VERSION:
                metadata["schema_version"] = SCHEMA_VERSION
        return nb, resources
