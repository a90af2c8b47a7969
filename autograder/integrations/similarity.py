"""Submissions that are unusually alike, for a TA to look at: never a penalty, never shown to students.

    similar_groups(GRADED_DIR, SUBMISSIONS_DIR) -> [{"students": [...], "evidence": [...]}, ...]

Two kinds of evidence, each enough for a group, both reported when present:

- **Code.** The code each student wrote in each graded function (the last module-level ``def`` of its
  name, docstring left out) is fingerprinted with copydetect (MOSS-style winnowing over pygments
  tokens; names become ``V``, strings ``S``, comments and whitespace go, so renamed variables still
  match, and k-grams are short enough that reordered lines still match line by line). Subtracted as
  boilerplate, for every k-gram (not just the winnowed ones): the released skeleton's function (the
  given code), the reference solution's (the canonical answer is written independently by many: it
  agrees by construction, as correct answers do), and any fingerprint that more than
  ``COMMON_SHARE`` of the class has in that function (a common idiom, MOSS's ``-m``). What is left is
  compared pairwise per function (``copydetect.compare_files``), for each pair that shares a fingerprint
  (no other pair can match): matched characters of filtered code, the share of each side's
  fingerprinted code that matched, and the matched lines of each file.
- **The class probe.** grade-all grades every student on one extra seed, the same for the whole class
  (``probe_seed``), in the same pass as their own (``grade_seeds``); its score is thrown away. For
  each function whose probe answers are wrong in a way no catalogued mistake names, results.json's
  ``extra_data["probe"]`` keeps a digest of those wrong answers (``probe_digests``). Correct answers
  and catalogued mistakes agree by construction and are no evidence; the same uncatalogued wrong
  digest in two students is, unless more than ``COMMON_SHARE`` of the class has it (a common mistake).

Thresholds, measured with ``tools/similarity_corpus.py``: one submission per file of ``tests/corpus/correct``,
``buggy`` and ``tricky`` (158 implementations, each the reference elsewhere), every pair compared (12403
pairs). Beyond boilerplate, 321 function pairs match at all; 21 pass ``MIN_MATCHED`` (30 characters) and
``MIN_SHARE`` (0.5 of each side); the largest pair total is 111 characters (svm_no_mean_loop ~ svm_loops:
CS231n's own naive loop), then 107, 106, 89. So a pair is flagged from ``MIN_PAIR_MATCHED`` = 150: **0 of
12403 pairs flagged**. Those near misses are corpus files one author wrote from one template (the same
rewritten forward, one line changed), which is what copying looks like; in a class, an idiom that many
students share is dropped by ``COMMON_SHARE`` instead. The planted copy of three functions in
``tests/integrations/test_similarity.py`` (every name changed, lines swapped) matches 85-100% per
function, 369 characters in all.
The measurement is of single functions: two independent students match on one function at most as much
as these, so it takes more than one function's worth of shared unusual code to be flagged.

The probe costs one extra seed in the same children: a whole grade went from 0.59 s to 0.77 s (median
of 5, one student, 2 cores). On a Dask cluster (``--scheduler``) there is no probe.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core import syntax
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import Grade, grade, grade_seeds, read_sources
from autograder.grading.reference import Reference
from autograder.integrations import gradescope
from autograder.integrations.seeds import student_seed

PROBE = "<class probe>"  # the "student" whose seed is the class probe's: no folder name can be it (<, >)
SUBMISSIONS_NOTE = ".backprop_submissions"  # grade-all writes the submissions folder's path here (TA side)
COMMON_SHARE = 0.10  # a fingerprint or wrong answer more than this share of the class has is common, not evidence
K = 12  # characters of filtered code per fingerprint (about 6 tokens: ``V=V.V(V,V.V)`` is 12)
WINDOW = 1  # every k-gram is a fingerprint: the functions are short, so none is left out
MIN_MATCHED = 30  # matched characters of filtered code, beyond boilerplate, for a function to count
MIN_SHARE = 0.5  # and the share of each side's fingerprinted code that matched
MIN_PAIR_MATCHED = 150  # a pair's counted functions together: more than one function's worth of idiom
PROBE_DIGITS = 6  # wrong values are compared through their messages, which print 6 significant digits


def probe_seed(secret: bytes) -> int:
    """The class probe's seed: the same for every student graded under ``secret``."""
    return student_seed(secret, PROBE)


def probe_digests(probe: Grade) -> dict[str, str]:
    """Function -> a digest of its wrong answers on the class probe, for every function whose answers
    are wrong values (not crashes, time limits or an unimplemented stub) that no catalogued mistake names."""
    findings: dict[str, list[str]] = defaultdict(list)
    named: set[str] = set()
    for result in probe.results:
        name = result.verdict.function.name
        for finding in result.verdict.findings:
            if finding.mistakes:
                named.add(name)
            if finding.crash is None and not finding.grader_text:
                findings[name].append(f"{result.verdict.check.id}\x1f{finding.case}\x1f{finding.tensor}"
                                      f"\x1f{finding.message}")
    return {name: hashlib.sha256("\x1e".join(sorted(lines)).encode()).hexdigest()[:16]
            for name, lines in sorted(findings.items()) if name not in named}


def grade_with_probe(folder: Path, reference: Reference, seed: int, probe: int, seconds_per_function: float,
                     concurrent: bool = False) -> tuple[Grade, dict[str, str]]:
    """The student's grade on their own ``seed``, and ``probe_digests`` of the class probe.

    Both seeds share one pass of the children and the time limit of one grade (half each), so the probe
    costs little. The probe's grade is thrown away; and if the student's own grade met a time limit or
    a dying child in that pass (where the probe's cases might have had a part), it is graded again
    alone, with the whole limit: the probe never changes a grade."""
    own, probed = grade_seeds(folder, reference, [seed, probe], seconds_per_function / 2, concurrent=concurrent,
                              values_only=[probe])
    own.seconds += probed.seconds  # the pass's wall time, which grade_seeds shares out between the seeds
    if any(finding.grader_text for result in own.results for finding in result.verdict.findings):
        return grade(folder, reference, seed, seconds_per_function, concurrent=concurrent), {}
    return own, probe_digests(probed)


# ---------------------------------------------------------------------------------------------
# The code each student wrote


@dataclass(frozen=True)
class Snippet:
    """One graded function as the student wrote it: ``text`` is its ``def`` (the docstring's lines left
    empty), which starts on line ``first`` of the student's module."""

    module: str
    first: int
    text: str


def function_snippets(sources: dict[str, str]) -> dict[str, Snippet]:
    """Graded function -> its last module-level ``def`` in ``sources`` (module -> text): the one that runs."""
    found = {}
    for module, source in sources.items():
        try:
            tree = syntax.parse(source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        lines = source.splitlines()
        graded = {f.name for f in FUNCTIONS if f.module == module}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name not in graded or node.end_lineno is None:
                continue
            kept = lines[node.lineno - 1:node.end_lineno]
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and first.end_lineno:
                for number in range(first.lineno, first.end_lineno + 1):
                    kept[number - node.lineno] = ""
            # Starts with the def: pygments drops leading newlines, which would shift copydetect's offsets.
            found[node.name] = Snippet(module, node.lineno, "\n".join(kept) + "\n")
    return found


def _filtered(text: str) -> str:
    from copydetect.utils import filter_code

    return str(filter_code(text, "code.py", "python")[0])


def _all_kgrams(text: str) -> set[int]:
    from copydetect.utils import hashed_kgrams

    return {int(h) for h in hashed_kgrams(_filtered(text), K)}


def boilerplate() -> dict[str, set[int]]:
    """Function -> every k-gram of its given code (the release) and of the reference solution."""
    given = function_snippets(read_sources(DEFAULT_RELEASE))
    reference = function_snippets(read_sources(DEFAULT_REFERENCE))
    return {name: set().union(*(_all_kgrams(s[name].text) for s in (given, reference) if name in s))
            for name in {f.name for f in FUNCTIONS}}


def _fingerprint(snippet: Snippet, excluded: set[int]) -> Any:
    from copydetect import CodeFingerprint

    return CodeFingerprint(f"{snippet.module}.py", K, WINDOW, boilerplate=sorted(excluded), language="python",
                           fp=io.StringIO(snippet.text))


def _line_ranges(snippet: Snippet, slices: Any) -> list[list[int]]:
    """copydetect's matched character slices of a snippet as [first, last] line ranges of its module, merged."""
    ranges: list[list[int]] = []
    text = snippet.text
    for start, end in sorted(zip(slices[0], slices[1], strict=True)):
        first = snippet.first + text.count("\n", 0, int(start))
        last = snippet.first + text.count("\n", 0, max(int(end) - 1, 0))
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], last)
        else:
            ranges.append([first, last])
    return ranges


def code_evidence(code: dict[str, dict[str, Snippet]]) -> list[dict[str, Any]]:
    """Evidence of pairs of students whose code matches beyond boilerplate and common idioms: their
    functions that match (``function_matches``), for each pair whose matches add up to ``MIN_PAIR_MATCHED``.

    ``code``: student -> function -> their Snippet."""
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in function_matches(code):
        pairs[item["students"][0], item["students"][1]].append(item)
    return [item for items in pairs.values() if sum(i["matched"] for i in items) >= MIN_PAIR_MATCHED
            for item in items]


def fingerprints(writers: dict[str, Snippet], excluded: set[int], class_size: int) -> dict[str, Any]:
    """Student -> the copydetect fingerprint of their code in one function, without ``excluded`` (the
    boilerplate) and without the fingerprints more than ``COMMON_SHARE`` of the class has there.

    Students with the very same text (a TODO left as given, a copy) share one fingerprint, made once:
    a fingerprint depends on nothing else, and nothing that reads it writes to it."""
    by_text: dict[str, Any] = {}
    for snippet in writers.values():
        if snippet.text not in by_text:
            by_text[snippet.text] = _fingerprint(snippet, excluded)
    first = {student: by_text[snippet.text] for student, snippet in writers.items()}
    counts: dict[int, int] = defaultdict(int)
    for fingerprint in first.values():  # each student's, a shared one as often as it is held
        for value in fingerprint.hashes:
            counts[int(value)] += 1
    common_limit = max(2, int(COMMON_SHARE * class_size))
    common = {value for value, count in counts.items() if count > common_limit}
    if not common:
        return first
    again = {text: _refingerprinted(fingerprint, excluded | common) for text, fingerprint in by_text.items()}
    return {student: again[snippet.text] for student, snippet in writers.items()}


def _refingerprinted(fingerprint: Any, excluded: set[int]) -> Any:
    """What ``_fingerprint`` makes of the same snippet with ``excluded`` as boilerplate, from the code
    copydetect already filtered: its ``CodeFingerprint`` does exactly these steps after lexing, which
    is most of its cost (tests/integrations/test_similarity.py compares the two for copydetect 0.5)."""
    from copydetect.utils import get_document_fingerprints, get_token_coverage

    again = copy.copy(fingerprint)
    code = fingerprint.filtered_code
    again.hashes, again.hash_idx = get_document_fingerprints(code, K, WINDOW, sorted(excluded))
    again.token_coverage = get_token_coverage(again.hash_idx, K, len(code))
    return again


def _sharing_pairs(prints: dict[str, Any]) -> list[tuple[str, str]]:
    """The pairs of students (in sorted order, each pair sorted) whose fingerprints share a hash: no other
    pair matches by a character. Found through each hash's holders, of whom there are few once the common
    ones are gone, instead of comparing all n(n-1)/2 pairs (125 million for a function of 5,000 students)."""
    holders: dict[int, list[str]] = defaultdict(list)
    for student in sorted(prints):
        for value in prints[student].hashes:
            holders[int(value)].append(student)
    return sorted({pair for students in holders.values() for pair in itertools.combinations(students, 2)})


def function_matches(code: dict[str, dict[str, Snippet]]) -> list[dict[str, Any]]:
    """Each function of each pair of students whose code in it matches by ``MIN_MATCHED`` characters and
    ``MIN_SHARE`` of each side, beyond boilerplate and the class's common fingerprints.

    ``code``: student -> function -> their Snippet."""
    from copydetect import compare_files

    base = boilerplate()
    evidence = []
    for function in (f.name for f in FUNCTIONS):
        writers = {student: functions[function] for student, functions in code.items() if function in functions}
        prints = fingerprints(writers, base[function], len(code))
        # Students with the very same text share a fingerprint: two such fingerprints compare alike for
        # every pair of their holders (only the line numbers differ), so they are compared once.
        compared: dict[tuple[int, int], Any] = {}
        for a, b in _sharing_pairs(prints):
            key = (id(prints[a]), id(prints[b]))
            if key not in compared:
                compared[key] = compare_files(prints[a], prints[b])
            matched, shares, slices = compared[key]
            if matched < MIN_MATCHED or min(shares) < MIN_SHARE:
                continue
            lines = {a: _line_ranges(writers[a], slices[0]), b: _line_ranges(writers[b], slices[1])}
            where = "; ".join(f"{student} lines {', '.join(f'{x}-{y}' for x, y in ranges)}"
                              for student, ranges in lines.items())
            evidence.append({
                "kind": "code", "function": function, "students": [a, b], "module": writers[a].module,
                "matched": int(matched), "similarity": round(float(min(shares)), 2), "lines": lines,
                "text": f"{function}: {round(100 * float(min(shares)))}% of the code written matches, beyond the "
                        f"given code and the usual solution ({writers[a].module}.py: {where})",
            })
    return evidence


# ---------------------------------------------------------------------------------------------
# Shared unusual wrong answers on the class probe


def probe_evidence(probes: dict[str, dict[str, str]], class_size: int) -> list[dict[str, Any]]:
    """Evidence of students sharing an uncatalogued wrong answer on the probe that few others have.

    ``probes``: student -> results.json's ``extra_data["probe"]``; ``class_size``: students graded."""
    common_limit = max(2, int(COMMON_SHARE * class_size))
    sharing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for student, digests in sorted(probes.items()):
        for function, digest in digests.items():
            sharing[function, digest].append(student)
    return [{"kind": "probe", "function": function, "students": students, "digest": digest,
             "text": f"same wrong answer on the class probe in {function}, shared by {len(students)} of "
                     f"{class_size} students"}
            for (function, digest), students in sorted(sharing.items()) if 2 <= len(students) <= common_limit]


# ---------------------------------------------------------------------------------------------


def _groups(evidence: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Students linked by any evidence, as connected groups, each with the evidence among them."""
    parent: dict[str, str] = {}

    def root(student: str) -> str:
        while parent.setdefault(student, student) != student:
            student = parent[student]
        return student

    items = list(evidence)
    for item in items:
        first, *rest = item["students"]
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        group = groups.setdefault(root(item["students"][0]), {"students": set(), "evidence": []})
        group["students"].update(item["students"])
        group["evidence"].append(item)
    found = [{"students": sorted(g["students"]), "evidence": g["evidence"]} for g in groups.values()]
    return sorted(found, key=lambda g: (-len(g["evidence"]), g["students"]))


def read_code(submissions_dir: Path, students: Iterable[str]) -> dict[str, dict[str, Snippet]]:
    """Student -> function -> Snippet, for each student with a folder in ``submissions_dir``."""
    code = {}
    for student in students:
        folder = submissions_dir / student
        if folder.is_dir() and not folder.is_symlink():
            code[student] = function_snippets(read_sources(gradescope.find_submission(folder)[0]))
    return code


def similar_groups(graded_dir: Path, submissions_dir: Path | None = None) -> list[dict[str, Any]]:
    """Groups of students whose own code is unusually alike, or who share an unusual wrong answer on the
    class probe: ``[{"students": [...], "evidence": [{"kind": "code" | "probe", "function", "students",
    "text", ...}]}]``, the most evidence first. For a TA's review only: evidence, never a verdict.

    ``graded_dir``: grade-all's output (each ``STUDENT/results.json``); ``submissions_dir``: the
    students' folders, for the code (default: the one grade-all recorded in ``SUBMISSIONS_NOTE``;
    without either only the probe is compared)."""
    probes: dict[str, dict[str, str]] = {}
    students = []
    for results in sorted(graded_dir.glob("*/results.json")):
        students.append(results.parent.name)
        extra = json.loads(results.read_text(encoding="utf-8")).get("extra_data", {})
        if isinstance(extra.get("probe"), dict):
            probes[results.parent.name] = extra["probe"]
    note = graded_dir / SUBMISSIONS_NOTE
    if submissions_dir is None and note.is_file():
        submissions_dir = Path(note.read_text(encoding="utf-8").strip())
    evidence = probe_evidence(probes, len(students))
    if submissions_dir is not None and submissions_dir.is_dir():
        evidence = code_evidence(read_code(submissions_dir, students)) + evidence
    return _groups(evidence)
