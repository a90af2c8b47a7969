"""How often the similarity detector flags independent work: its false-positive rate on the kit's corpora.

One submission per file of ``tests/corpus/correct``, ``buggy`` and ``tricky`` (each file written on its
own: the reference for every other function), all compared with each other by
``autograder.integrations.similarity.code_evidence``. Prints the pairs compared, the pairs flagged
(with their evidence), and the largest matches that stayed under the thresholds, which is where
``MIN_MATCHED`` and ``MIN_SHARE`` come from.

    .venv/bin/python tools/similarity_corpus.py
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import CORPUS, build_submission  # tests/helpers.py

from autograder.grading.grade import read_sources
from autograder.integrations import similarity

KINDS = ("correct", "buggy", "tricky")


def corpus_code(folder: Path) -> dict[str, dict[str, similarity.Snippet]]:
    """Corpus file -> function -> Snippet, one submission per file."""
    code = {}
    for kind in KINDS:
        for path in sorted((CORPUS / kind).glob("*.py")):
            name = f"{kind}/{path.stem}"
            code[name] = similarity.function_snippets(read_sources(build_submission(folder / name, path)))
    return code


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        code = corpus_code(Path(folder))
    pairs = len(list(itertools.combinations(code, 2)))
    flagged = similarity.code_evidence(code)
    print(f"{len(code)} submissions, {pairs} pairs, {len(flagged)} function pairs flagged "
          f""
          f"(K={similarity.K}, MIN_MATCHED={similarity.MIN_MATCHED}, MIN_SHARE={similarity.MIN_SHARE}, "
          f"MIN_PAIR_MATCHED={similarity.MIN_PAIR_MATCHED})")
    for item in flagged:
        print(" ", " ~ ".join(item["students"]), item["text"])
    counted = similarity.function_matches(code)
    totals: dict[tuple[str, ...], int] = {}
    for item in counted:
        totals[tuple(item["students"])] = totals.get(tuple(item["students"]), 0) + item["matched"]
    print(f"{len(counted)} function pairs pass MIN_MATCHED and MIN_SHARE; the largest pair totals "
          f"(flagged from MIN_PAIR_MATCHED={similarity.MIN_PAIR_MATCHED}):")
    for pair, total in sorted(totals.items(), key=lambda t: -t[1])[:8]:
        print(f"  {total:4d}  " + " ~ ".join(pair))
    saved = similarity.MIN_MATCHED, similarity.MIN_SHARE
    similarity.MIN_MATCHED, similarity.MIN_SHARE = 1, 0.0
    try:
        near = sorted(similarity.function_matches(code), key=lambda e: (-e["matched"], -e["similarity"]))
    finally:
        similarity.MIN_MATCHED, similarity.MIN_SHARE = saved
    print(f"{len(near)} function pairs match at all beyond boilerplate; the largest matches:")
    for item in near[:15]:
        print(f"  matched {item['matched']:4d}  share {item['similarity']:.2f}  {item['function']}: "
              + " ~ ".join(item["students"]))
    by_share = sorted(near, key=lambda e: (-e["similarity"], -e["matched"]))
    print("the largest shares:")
    for item in by_share[:10]:
        print(f"  matched {item['matched']:4d}  share {item['similarity']:.2f}  {item['function']}: "
              + " ~ ".join(item["students"]))


if __name__ == "__main__":
    main()
