"""(h) The class report's code comparison at scale: what ``grade-all`` runs on the client after the last grade.

``similarity.code_evidence`` over ``batch_throughput.generate``'s submissions (2,000 by default), twice
in one run:

- **as generated**: most students share most of their code with the reference, so each function has
  only a few distinct texts, and a fingerprint is made once per distinct text;
- **every text distinct**: the same code with a comment naming the student added to each function, so
  that nothing is shared: the cost of a class in which no two students wrote a function alike, letter
  for letter, while their code still matches as much (copydetect drops comments).

It counts the fingerprints made and the pairs of students compared (those whose fingerprints share an
uncommon hash), times each part, and projects a 30,000-student course from the per-text and per-pair
costs. Reading the students' files (``read_code``) is timed apart.

    .venv/bin/python benchmarks/similarity_scale.py [--count 2000]
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from batch_throughput import generate
from common import Row, main_with_count

from autograder.core.spec import FUNCTIONS
from autograder.integrations import similarity

COUNT = 2000
COURSE = 30_000


@dataclasses.dataclass
class Measured:
    """One run of ``code_evidence``: seconds in all and in fingerprints, what was made and compared."""

    seconds: float = 0.0
    fingerprint_seconds: float = 0.0
    fingerprints: int = 0
    pairs: int = 0
    evidence: int = 0


def _measure(code: dict[str, dict[str, similarity.Snippet]]) -> Measured:
    """``code_evidence(code)``, with its fingerprints and pairs counted (the kit's own functions, timed)."""
    measured = Measured()
    fingerprint, sharing_pairs = similarity._fingerprint, similarity._sharing_pairs

    def timed_fingerprint(*args: Any) -> Any:
        started = time.perf_counter()
        made = fingerprint(*args)
        measured.fingerprint_seconds += time.perf_counter() - started
        measured.fingerprints += 1
        return made

    def counted_pairs(prints: dict[str, Any]) -> list[tuple[str, str]]:
        pairs = sharing_pairs(prints)
        measured.pairs += len(pairs)
        return pairs

    patched: list[tuple[str, Callable[..., Any]]] = [("_fingerprint", timed_fingerprint),
                                                     ("_sharing_pairs", counted_pairs)]
    for name, function in patched:
        setattr(similarity, name, function)
    try:
        started = time.perf_counter()
        measured.evidence = len(similarity.code_evidence(code))
        measured.seconds = time.perf_counter() - started
    finally:
        similarity._fingerprint, similarity._sharing_pairs = fingerprint, sharing_pairs
    return measured


def _every_text_distinct(code: dict[str, dict[str, similarity.Snippet]]) -> dict[str, dict[str, similarity.Snippet]]:
    """The same code, each function's text made the student's own by a comment (which copydetect drops)."""
    return {student: {name: dataclasses.replace(snippet, text=f"{snippet.text}    # {student}\n")
                      for name, snippet in functions.items()}
            for student, functions in code.items()}


def measure(count: int = COUNT) -> tuple[list[Row], list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        students = [path.name for path in generate(Path(folder), count)]
        started = time.perf_counter()
        code = similarity.read_code(Path(folder), students)
        reading = time.perf_counter() - started
    similarity.boilerplate()  # copydetect's import, outside both runs
    shared, distinct = _measure(code), _measure(_every_text_distinct(code))
    snippets = sum(len(functions) for functions in code.values())
    per_text = distinct.fingerprint_seconds / distinct.fingerprints
    per_pair = (distinct.seconds - distinct.fingerprint_seconds) / max(distinct.pairs, 1)
    rows = [
        Row(f"(h) class report's code comparison, {count} students as generated", f"{shared.seconds:.1f} s",
            f"{distinct.seconds:.1f} s with every text distinct", distinct.seconds / shared.seconds, "—", True,
            f"{snippets} functions, {shared.fingerprints} distinct texts fingerprinted, {shared.pairs} pairs "
            f"compared, {shared.evidence} pieces of evidence; reading the files took {reading:.1f} s more"),
        Row("(h) the same, every function's text distinct: fingerprints vs comparisons",
            f"{distinct.fingerprint_seconds:.1f} s", f"{distinct.seconds - distinct.fingerprint_seconds:.1f} s",
            1.0, "—", True,
            f"{distinct.fingerprints} fingerprinted ({per_text * 1000:.2f} ms each), {distinct.pairs} pairs "
            f"compared ({per_pair * 1000:.2f} ms each), {distinct.evidence} pieces of evidence"),
    ]
    functions = len(FUNCTIONS)
    projection = [
        f"The class report for {COURSE:,} students, on the client's one core, after the last grade:",
        f"  reading the files: {reading / count * COURSE / 60:.0f} minutes ({reading / count * 1000:.1f} ms a student)",
        f"  fingerprints: at most {COURSE * functions * per_text / 60:.0f} minutes, if every one of the "
        f"{COURSE * functions:,} functions is a distinct text ({per_text * 1000:.2f} ms each; a shared text is "
        "made once)",
        f"  comparisons: {per_pair * 1000:.2f} ms per pair of students sharing uncommon code; the generated class "
        f"had {distinct.pairs / count:.0f} such pairs per student (its mistakes are shared by up to a tenth of it), "
        f"which at {COURSE:,} would be {distinct.pairs / count * COURSE * per_pair / 3600:.1f} hours if pairs grew "
        f"with the students, and {distinct.pairs * (COURSE / count) ** 2 * per_pair / 3600:.0f} hours if they grew "
        f"with their square",
    ]
    return rows, projection


if __name__ == "__main__":
    main_with_count(__doc__, measure, COUNT, "students")
