"""Run the course's notebooks headless: solved (with the reference layers) and as released.

``python -m autograder notebooks`` (``make notebooks``) executes every notebook top to bottom twice in
a scratch folder, in every language the kit speaks (the translated release, ``assignment-vi/backprop``,
with the source notebooks translated the same way): the source notebooks with the reference
``layers.py`` and ``rnn_layers.py`` beside the release's files, where no cell may fail, and the
untouched release, where every cell that fails must fail politely (one line saying what to write, no
traceback). It prints what each notebook reproduced, from the ``REPRODUCED`` table its last cell
prints, and how long it took.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core.language import LANGUAGES, SOURCE
from autograder.core.spec import MODULE_FILES
from autograder.course.release import release_dir, translated_notebook

CELL_TIMEOUT = 120
# Errors a notebook may end a cell with in the untouched release: nbcheck's own, and the to-dos and
# missing names it shortens to one line.
POLITE = {"NotImplementedError", "NameError", "NotWrittenYet", "LayerCheckFailed", "WrongAnswer"}


def execute(path: Path, allow_errors: bool) -> tuple[nbformat.NotebookNode, float]:
    """Execute the notebook at ``path`` in its own folder; return it with its outputs, and the seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook, time.perf_counter() - started


def errors(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


def impolite(notebook: nbformat.NotebookNode) -> list[str]:
    """Errors that are not a short to-do or check message: a real crash or a long traceback."""
    return [f"{error.ename}: {error.evalue}" for error in errors(notebook)
            if error.ename not in POLITE or not error.traceback or error.traceback[0][:1] not in "…✗"]


def reproduced(notebook: nbformat.NotebookNode) -> str:
    """What the last code cell printed: the notebook's table of reproduced numbers."""
    last = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
    return "".join(output.text for output in last.outputs if output.output_type == "stream")


def solved_folder(solutions: Path, release: Path, scratch: Path, lang: str = SOURCE) -> Path:
    """The release with the reference modules and the source notebooks (in ``lang``): a student who did
    everything."""
    folder = scratch / "solved"
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".*"))
    for name in MODULE_FILES:
        shutil.copyfile(solutions / name, folder / name)
    for path in solutions.glob("*.ipynb"):
        (folder / path.name).write_text(translated_notebook(solutions, path, lang), encoding="utf-8")
    return folder


def run_notebooks(solutions: Path = DEFAULT_REFERENCE, release: Path = DEFAULT_RELEASE) -> int:
    """Run every notebook solved and as released, in every language; 1 if any run misbehaved."""
    failures = 0
    for lang in LANGUAGES:
        if lang != SOURCE:
            print(f"in {lang} ({release_dir(release, lang)}):")
        failures += _run_language(solutions, release_dir(release, lang), lang)
    return 1 if failures else 0


def _run_language(solutions: Path, release: Path, lang: str) -> int:
    """Run every notebook of one language's release solved and as released, one line per run; the failures."""
    failures = 0
    with tempfile.TemporaryDirectory(prefix="backprop-notebooks-") as scratch:
        solved = solved_folder(solutions, release, Path(scratch), lang)
        untouched = Path(scratch) / "release"
        shutil.copytree(release, untouched, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for path in sorted(solved.glob("*.ipynb")):
            notebook, seconds = execute(path, allow_errors=True)
            problems = [f"{error.ename}: {error.evalue}" for error in errors(notebook)]
            failures += bool(problems)
            print(f"{path.name} with the reference solution: {seconds:.1f} s, "
                  f"{'FAILED: ' + '; '.join(problems) if problems else 'every cell ran'}")
            print("  " + reproduced(notebook).strip().replace("\n", "\n  "))
        for path in sorted(untouched.glob("*.ipynb")):
            notebook, seconds = execute(path, allow_errors=True)
            problems = impolite(notebook)
            failures += bool(problems)
            print(f"{path.name} as released: {seconds:.1f} s, {len(errors(notebook))} cells end with a to-do"
                  + (f"; NOT POLITE: {'; '.join(problems)}" if problems else ", all politely"))
    return failures

