"""Gradescope: build ``autograder.zip``, and grade a submission inside Gradescope's container.

The zip (``make gradescope``, or ``python -m autograder gradescope --out autograder.zip``) holds:

    setup.sh          run once, as root, when Gradescope builds the image: Python >= 3.11 and a
                      virtual environment in /autograder/venv with the kit's dependencies
    run_autograder    run for each submission: ``python -m autograder.integrations.gradescope``
    requirements.txt  the kit's runtime dependencies, at the exact versions of requirements.lock
    kit/autograder/   the grading package (no solution code in it)
    reference/        the reference solution, its rubric and its mistake catalogue
    language          the language students read their results in (``gradescope --lang``; README
                      "Languages"); the package's compiled catalogs are in kit/autograder/locale/

At run time (``python -m autograder.integrations.gradescope``) the root is ``$GRADESCOPE_ROOT``, default
``/autograder``: the student's files are in ``ROOT/submission`` (or in a folder inside it, when the
upload was a zipped folder), the grade goes to ``ROOT/results/results.json``, written atomically and
always, even when the grader itself fails (Gradescope shows a missing file as "The autograder failed
to execute correctly"). The readable report goes to stdout, which only instructors see.

The student's code runs in the same sandbox as everywhere else, and only there: where the container
lacks part of it (namespaces, Landlock, libseccomp), results.json says what is missing and nothing is
graded, unless the course sets ``BACKPROP_UNSAFE_REDUCED_SANDBOX=1`` in run_autograder. The reference
folder is made private to root first.

Visibility: a check marked in the rubric (``exploding = { points = 3, visibility = "hidden" }``) gets
that visibility in results.json; its points still count in the score.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import sys
import time
import zipfile
from pathlib import Path

import autograder
from autograder import DEFAULT_REFERENCE
from autograder.core.files import replaced_atomically, write_atomically
from autograder.core.language import SOURCE, checked
from autograder.core.printable import printable
from autograder.core.spec import MODULE_FILES
from autograder.core.text import T_, speaker
from autograder.grading.grade import check_sandbox, grade
from autograder.grading.reference import REFERENCE_FILES, REQUIRED_FILES, load_reference
from autograder.outputs.report import text_report
from autograder.outputs.results_json import dumps, failure_results, gradescope_results
from autograder.sandbox import forks

DISTRIBUTION = "backprop-kit"  # the name pyproject.toml gives the kit
ROOT_VARIABLE = "GRADESCOPE_ROOT"
DEFAULT_ROOT = Path("/autograder")
SEARCH_DEPTH = 3  # how deep in the upload to look for the modules
LANGUAGE_FILE = "language"  # in the bundle's root (ROOT/source at run time): the students' language

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# util-linux: unshare and setpriv, for the sandbox's namespaces and unprivileged user;
# libseccomp2: the syscall filter. Without them the grader refuses to grade, and says why.
apt-get install -y -qq python3 python3-venv util-linux libseccomp2 > /dev/null
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -qq python3.11 python3.11-venv > /dev/null  # Ubuntu 22.04 ships Python 3.10
    PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --disable-pip-version-check -r "$SOURCE/requirements.txt"
chmod 700 "$SOURCE/reference"  # the sandbox's user must not read the solution
"""

RUN_AUTOGRADER = """\
#!/bin/bash
# Gradescope runs this for each submission. GRADESCOPE_ROOT and GRADESCOPE_PYTHON are for testing.
ROOT="${GRADESCOPE_ROOT:-/autograder}"
export GRADESCOPE_ROOT="$ROOT"
export PYTHONPATH="$ROOT/source/kit"
# One BLAS thread, as python -m autograder grade has (autograder/__main__.py): the arrays are small.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" \
    MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
exec "${GRADESCOPE_PYTHON:-$ROOT/venv/bin/python}" -P -s -m autograder.integrations.gradescope
"""


# ---------------------------------------------------------------------------------------------
# The bundle

def requirements() -> list[str]:
    """The kit's runtime dependencies (its installed metadata, no extras), each pinned to the version of
    requirements.lock: the version ``make`` installed and the release's requirements.txt gives students."""
    # Only when building the zip, outside Gradescope: autograder.course is not in the bundle.
    from autograder.course.release import pinned

    lines = []
    for requirement in importlib.metadata.requires(DISTRIBUTION) or []:
        if "extra ==" in requirement:
            continue
        specifier, _, marker = requirement.partition(";")
        name = re.split(r"[\s\[<>=!~(]", specifier.strip(), maxsplit=1)[0]
        lines.append(pinned([name])[0] + (f"; {marker.strip()}" if marker.strip() else ""))
    return lines


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: the same sources give the same zip
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


BUNDLED = ("__init__.py", "core/*.py", "sandbox/*.py", "grading/*.py", "outputs/*.py", "integrations/__init__.py",
           "integrations/gradescope.py", "locale/*/LC_MESSAGES/*.mo")  # the catalogs the reports are said from
NOT_BUNDLED = ("sandbox/kernels.py", "sandbox/kernel_child.py")  # notebook kernels: nbgrader only


def bundled_modules() -> list[Path]:
    """The kit's modules that run inside Gradescope's container, and no others."""
    package = Path(autograder.__file__).parent
    skipped = {package / name for name in NOT_BUNDLED}
    return sorted(path for pattern in BUNDLED for path in package.glob(pattern) if path not in skipped)


def build_bundle(out: Path, reference: Path = DEFAULT_REFERENCE, language: str = SOURCE) -> list[str]:
    """Write the Gradescope autograder zip to ``out``, its results said in ``language``; return the names it
    holds."""
    language = checked(language)
    missing = [name for name in REQUIRED_FILES if not (reference / name).is_file()]
    if missing:
        raise FileNotFoundError(f"the reference in {reference} has no {', '.join(missing)}")
    package = Path(autograder.__file__).parent
    files: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
        ("requirements.txt", "".join(f"{line}\n" for line in requirements()).encode(), 0o644),
        (LANGUAGE_FILE, f"{language}\n".encode(), 0o644),
        *((f"kit/autograder/{path.relative_to(package)}", path.read_bytes(), 0o644) for path in bundled_modules()),
        *((f"reference/{name}", (reference / name).read_bytes(), 0o644) for name in REFERENCE_FILES
          if (reference / name).is_file()),
    ]
    with replaced_atomically(out) as handle, zipfile.ZipFile(handle, "w") as archive:
        for name, data, mode in files:
            _add(archive, name, data, mode)
    return [name for name, _, _ in files]


# ---------------------------------------------------------------------------------------------
# Inside Gradescope

FOLDER_SHOWN = 60  # characters of an uploaded folder's path shown in the note


def find_submission(upload: Path) -> tuple[Path, str]:
    """The folder with the student's modules, and a note for the student if it is not the upload's root.

    Gradescope keeps an uploaded folder's structure, so ``backprop/layers.py`` is looked for too: the
    shallowest folder (at most SEARCH_DEPTH down, symlinks not followed) holding one of the modules.
    """
    names = set(MODULE_FILES)
    if any(os.path.lexists(upload / name) for name in names):
        return upload, ""
    found = []
    for directory, subfolders, files in os.walk(upload):
        depth = len(Path(directory).relative_to(upload).parts)
        deeper = depth < SEARCH_DEPTH
        subfolders[:] = sorted(d for d in subfolders if deeper and not d.startswith((".", "__MACOSX")))
        if names & set(files):
            found.append((depth, directory))
    if not found:
        return upload, ""
    folder = Path(min(found)[1])
    # The student named these folders: shown quoted and short, so a name cannot read as the grader's words.
    shown = printable(str(folder.relative_to(upload)), multiline=False)
    shown = shown if len(shown) <= FOLDER_SHOWN else shown[:FOLDER_SHOWN] + "…"
    return folder, T_("Graded the files in the folder {folder} of your upload.",
                      folder=json.dumps(shown, ensure_ascii=False))


def bundled_language(source: Path) -> str:
    """The language the bundle was built for (``LANGUAGE_FILE``); English for a bundle without one."""
    path = source / LANGUAGE_FILE
    return checked(path.read_text().strip(), str(path)) if path.is_file() else SOURCE


def run(root: Path) -> int:
    """Grade ``root/submission`` with ``root/source/reference``; write ``root/results/results.json``."""
    started = time.perf_counter()
    reference = root / "source" / "reference"
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    forks.start_early()  # the children's template starts while the reference is read
    language = SOURCE
    try:
        language = bundled_language(root / "source")
        reference.chmod(0o700)
        check_sandbox()  # before the student's files are even looked at
        submission, note = find_submission(root / "submission")
        loaded = load_reference(reference)
        result = grade(submission, loaded)
    except Exception as error:  # the grader's own failure: still a results.json that says so
        write_atomically(target, dumps(failure_results(error, time.perf_counter() - started, language)))
        print(f"error: the grader could not run: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    # students can read results.json
    results = gradescope_results(result, loaded.visibility, seed=False, language=language)
    if note:
        results["output"] += f"\n{speaker(language)(note)}"
    write_atomically(target, dumps(results))
    print(text_report(result, language=language), end="")  # the TA's: students see no stdout (stdout_visibility)
    print(f"Graded by the kit in {Path(autograder.__file__).parent}; results in {target}")
    return 0


def main() -> int:
    return run(Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT))


if __name__ == "__main__":
    sys.exit(main())
