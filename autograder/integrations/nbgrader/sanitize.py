"""What a student's notebook may show the TA and itself: plain text and PNG pictures, nothing else.

Every output of an autograded notebook came from the student's kernel, and the TA reads it in the
formgrader and the student in the feedback page. ``SanitizeOutputs`` runs right after ``Execute``:

- text (streams, ``text/plain``, error names, values and tracebacks) loses terminal escape sequences,
  control characters and the Unicode controls that reorder text, and every path of the grader's
  machine (the kernel's private folder, the Python runtime, the kit, the course) is replaced by a
  short name;
- rich outputs keep ``text/plain`` and ``image/png`` (a real PNG, base64) only: HTML, JavaScript, SVG,
  Markdown and widgets could run script in the TA's browser or fake the page around them;
- raw HTML in markdown cells is escaped, so it shows as the text it is, and a link that goes anywhere but
  the web or an e-mail address (``javascript:``, ``data:``, however it is spelled) goes nowhere, unless
  the cell is exactly one of the course's source notebook (a student can mark a cell "locked", but cannot
  make it the course's); a raw cell the course did not write shows as text too.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

import autograder
from autograder.core.printable import printable

KEPT_MIME_TYPES = ("text/plain", "image/png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 4 << 20

MAX_NAME = 200  # characters of an error's name; its value and traceback are capped by LimitOutput's rules
MAX_VALUE = 2000
_KERNEL_FOLDER = re.compile(re.escape(str(Path(tempfile.gettempdir()).resolve())) + r"/backprop-kernel-[^/\s'\"]+"
                            r"(?:/space)?(?:/(work|home|channel))?")
_TAGS = re.compile(r"<(?=[A-Za-z/!?])")
# Where a Markdown link's destination begins: an inline link or picture ``[text](`` and a reference definition
# ``[label]:`` (its destination may be on the next line).
_DESTINATION = re.compile(r"\]\(\s*|^[ ]{0,3}\[[^\]\n]+\]:\s*", re.MULTILINE)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_MARKDOWN_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_DROPPED_FROM_URLS = re.compile(r"[\x00-\x20\x7f]")  # what browsers ignore in a scheme, and whitespace


def _machine_paths() -> list[tuple[str, str]]:
    """Paths of this machine that may show up in a traceback, longest first, with what replaces them."""
    paths = sysconfig.get_paths()
    named = [(paths["purelib"], "<site-packages>"), (paths["platlib"], "<site-packages>"),
             (paths["stdlib"], "<python>"), (sys.prefix, "<python>"), (sys.base_prefix, "<python>"),
             (str(Path(autograder.__file__).resolve().parent.parent), "<kit>")]
    return sorted({(str(Path(p).resolve()), name) for p, name in named} | set(named), key=lambda pair: -len(pair[0]))


MACHINE_PATHS = _machine_paths()


Paths = list[tuple[str, str]]


def clean_text(text: str, paths: Paths = MACHINE_PATHS) -> str:
    """``text`` without escape sequences, control characters or ``paths`` of the grader's machine."""
    text = printable(text)
    text = _KERNEL_FOLDER.sub(lambda match: {"work": ".", None: "<kernel>"}.get(match.group(1), f"<{match.group(1)}>"),
                              text)
    for path, name in paths:
        text = text.replace(path, name)
    return text


def _is_png(data: object) -> bool:
    if not isinstance(data, str) or len(data) > MAX_PNG_BYTES * 4 // 3 + 4:
        return False
    try:
        return base64.b64decode(data.replace("\n", ""), validate=True).startswith(PNG_SIGNATURE)
    except (binascii.Error, ValueError):
        return False


def clean_output(output: NotebookNode, paths: Paths = MACHINE_PATHS) -> NotebookNode | None:
    """The output with only what may be shown, or None to drop it."""
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return NotebookNode(output_type="stream", name=name, text=clean_text(str(output.get("text", "")), paths))
    if kind == "error":
        return NotebookNode(output_type="error", ename=clean_text(str(output.get("ename", ""))[:MAX_NAME], paths),
                            evalue=clean_text(str(output.get("evalue", ""))[:MAX_VALUE], paths),
                            traceback=[clean_text(str(line), paths) for line in output.get("traceback") or []])
    if kind in ("execute_result", "display_data"):
        data = output.get("data") or {}
        kept = {}
        if isinstance(data.get("text/plain"), str):
            kept["text/plain"] = clean_text(data["text/plain"], paths)
        if _is_png(data.get("image/png")):
            kept["image/png"] = data["image/png"]
        if not kept:
            return None
        cleaned = NotebookNode(output_type=kind, data=NotebookNode(kept), metadata=NotebookNode())
        if kind == "execute_result":
            cleaned["execution_count"] = _count(output.get("execution_count"))
        return cleaned
    return None


def _count(value: object) -> int | None:
    """An execution count as nbformat allows it: a non-negative int, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def escape_markup(source: str) -> str:
    """Markdown whose raw HTML shows as text (``<script>`` becomes ``&lt;script>``) and whose links lead
    nowhere unless to the web or an e-mail address: ``[see](javascript:alert(1))`` becomes
    ``[see](#javascript:alert(1))``, a link to a spot of the page that does not exist."""
    return _defused_links(_TAGS.sub(html.escape("<"), source))


def _defused_links(source: str) -> str:
    def defused(match: re.Match[str]) -> str:
        scheme = _SCHEME.match(_as_a_browser_reads(source[match.end():match.end() + 200]))
        return match.group() + ("#" if scheme and scheme.group()[:-1] not in SAFE_SCHEMES else "")

    return _DESTINATION.sub(defused, source)


def _as_a_browser_reads(destination: str) -> str:
    """The start of a link destination as the URL it becomes: Markdown's character references and backslash
    escapes undone (twice over, to be safe), then what a browser drops from a scheme, lower case."""
    for _ in range(2):
        destination = _MARKDOWN_ESCAPE.sub("", html.unescape(destination))
    return _DROPPED_FROM_URLS.sub("", destination).lstrip("<").lower()


class SanitizeOutputs(NbGraderPreprocessor):
    """Keep only plain text and PNG pictures in outputs; escape HTML in markdown the course did not write."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        course_markdown = self._course_markdown(resources)
        course = str(Path(CourseDirectory(parent=self).root).resolve())
        paths = sorted([*MACHINE_PATHS, (course, "<course>")], key=lambda pair: -len(pair[0]))
        for cell in nb.cells:
            if cell.cell_type == "code":
                outputs = (clean_output(output, paths) for output in cell.get("outputs", []))
                cell.outputs = [kept for kept in outputs if kept is not None]
                cell.execution_count = _count(cell.get("execution_count"))
            elif cell.cell_type == "markdown" and cell.source not in course_markdown:
                cell.source = escape_markup(cell.source)
                cell.pop("attachments", None)  # pictures pasted into a cell: any file type, shown as it is
            elif cell.cell_type == "raw" and cell.source not in course_markdown:
                # An exporter copies a raw cell into the page as it is (as HTML, for text/html or no type).
                cell.source = html.escape(cell.source)
                cell.metadata.pop("raw_mimetype", None)
                cell.metadata.pop("format", None)
        nb.metadata.pop("widgets", None)
        return nb, resources

    def _course_markdown(self, resources: ResourcesDict) -> set[str]:
        """The markdown and raw cells of the course's own source notebook (trusted: they stay as written)."""
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(parent=self)
        source = Path(coursedir.format_path(coursedir.source_directory, ".", info.get("assignment", ""))) / (
            f"{info.get('notebook', '')}.ipynb")
        try:
            notebook = nbformat.read(source, as_version=4)
        except (OSError, ValueError):
            return set()  # nothing known to be the course's: escape every markdown cell
        return {cell.source for cell in notebook.cells if cell.cell_type in ("markdown", "raw")}
