"""The similarity review: copied code and shared unusual wrong answers are flagged, independent work is not,
and the class probe never changes a grade."""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, build_submission, scores_by_function

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade, read_sources
from autograder.grading.reference import load_reference
from autograder.integrations import batch, similarity

# One student's own implementations, far from the usual solution (loops everywhere) ...
ORIGINAL = '''
import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.zeros(x.shape)
    dw = np.zeros(w.shape)
    for n in range(x.shape[0]):
        dx[n] = (w @ dout[n]).reshape(x.shape[1:])
        dw += np.outer(x[n].ravel(), dout[n])
    return dx, dw, dout.sum(0)


def svm_loss(x, y):
    n, classes = x.shape
    loss = 0.0
    dx = np.zeros_like(x)
    for i in range(n):
        for j in range(classes):
            if j == y[i]:
                continue
            margin = x[i, j] - x[i, y[i]] + 1.0
            if margin > 0:
                loss += margin
                dx[i, j] += 1.0
                dx[i, y[i]] -= 1.0
    return loss / n, dx / n


def huber_loss(pred, target, delta):
    diff = pred - target
    total = 0.0
    grad = np.zeros_like(diff)
    flat, out = diff.ravel(), grad.ravel()
    for k in range(flat.size):
        if abs(flat[k]) <= delta:
            total += 0.5 * flat[k] ** 2
            out[k] = flat[k]
        else:
            total += delta * (abs(flat[k]) - 0.5 * delta)
            out[k] = delta if flat[k] > 0 else -delta
    return total / flat.size, grad / flat.size
'''

# ... and another's copy of them: every name changed, independent lines swapped, comments added.
COPY = '''
import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    inp, weights, bias = cache
    gw = np.zeros(weights.shape)  # weights first
    gx = np.zeros(inp.shape)
    for row in range(inp.shape[0]):
        gw += np.outer(inp[row].ravel(), dout[row])
        gx[row] = (weights @ dout[row]).reshape(inp.shape[1:])
    return gx, gw, dout.sum(0)


def svm_loss(x, y):
    count, width = x.shape
    grad = np.zeros_like(x)
    total = 0.0
    for a in range(count):
        for b in range(width):
            if b == y[a]:
                continue
            m = x[a, b] - x[a, y[a]] + 1.0
            if m > 0:
                total += m
                grad[a, y[a]] -= 1.0
                grad[a, b] += 1.0
    return total / count, grad / count


def huber_loss(pred, target, delta):
    e = pred - target
    g = np.zeros_like(e)
    s = 0.0
    es, gs = e.ravel(), g.ravel()
    for idx in range(es.size):
        if abs(es[idx]) <= delta:
            gs[idx] = es[idx]
            s += 0.5 * es[idx] ** 2
        else:
            gs[idx] = delta if es[idx] > 0 else -delta
            s += delta * (abs(es[idx]) - 0.5 * delta)
    return s / es.size, g / es.size
'''

# An uncatalogued wrong relu_backward (the gradient scaled by 1.5), written two different ways.
ODD_RELU = ['TARGET = "layers"\n\n\ndef relu_backward(dout, cache):\n    return 1.5 * dout * (cache > 0)\n',
            'import numpy as np\n\nTARGET = "layers"\n\n\ndef relu_backward(dout, cache):\n'
            '    x = cache\n    return np.where(x > 0, dout + dout / 2, 0.0)\n']
INDEPENDENT = [CORPUS / kind / name for kind, name in [
    ("correct", "affine_einsum.py"), ("correct", "svm_bincount.py"), ("correct", "huber_where.py"),
    ("correct", "rnn_backward_lists.py"), ("correct", "clip_hypot.py"), ("correct", "relu_nditer.py"),
    ("buggy", "affine_dw_transposed_loop.py"), ("buggy", "rnn_no_carry.py"), ("buggy", "svm_no_mean_loop.py"),
    ("buggy", "relu_forgot_dout.py"), ("buggy", "huber_gradient_is_sign_loop.py"),
]]


def _fragment(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(text)
    return folder / f"{name}.py"


def build_class(root: Path) -> Path:
    """Submissions: a copied pair, a pair sharing an uncatalogued wrong answer, and independent work."""
    fragments, submissions = root / "fragments", root / "submissions"
    build_submission(submissions / "orig", _fragment(fragments, "original", ORIGINAL))
    build_submission(submissions / "copier", _fragment(fragments, "copy", COPY))
    for number, text in enumerate(ODD_RELU):
        build_submission(submissions / f"odd{number}", _fragment(fragments, f"odd{number}", text))
    for path in INDEPENDENT:
        build_submission(submissions / f"indep_{path.parent.name}_{path.stem}", path)
    return submissions


def _code(submissions: Path) -> dict[str, dict[str, similarity.Snippet]]:
    return similarity.read_code(submissions, sorted(p.name for p in submissions.iterdir()))


def test_the_copied_pair_is_flagged_with_functions_scores_and_lines(tmp_path: Path) -> None:
    evidence = similarity.code_evidence(_code(build_class(tmp_path)))
    assert {tuple(item["students"]) for item in evidence} == {("copier", "orig")}
    assert {item["function"] for item in evidence} == {"affine_backward", "svm_loss", "huber_loss"}
    for item in evidence:
        assert item["similarity"] >= similarity.MIN_SHARE and item["matched"] >= similarity.MIN_MATCHED
        lines = (tmp_path / "submissions" / "orig" / "layers.py").read_text().splitlines()
        for first, last in item["lines"]["orig"]:  # lines of the student's own function, not the given code
            assert any(f"def {item['function']}" in line for line in lines[:first])
            assert 1 <= first <= last <= len(lines)
        assert item["function"] in item["text"] and "%" in item["text"]


def test_renamed_and_reordered_code_still_matches_and_the_usual_solution_does_not() -> None:
    given = {"layers": ORIGINAL}
    copied = {"layers": COPY}
    reference = similarity.function_snippets(read_sources(DEFAULT_REFERENCE))
    code = {"a": similarity.function_snippets(given), "b": similarity.function_snippets(copied),
            "ref1": reference, "ref2": dict(reference)}
    matched = similarity.function_matches(code)
    assert {tuple(m["students"]) for m in matched} == {("a", "b")}  # two copies of the reference: no evidence


def _every_pair(prints: dict) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(prints), 2))


def test_only_pairs_that_share_a_fingerprint_are_compared_and_nothing_else_changes(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    code = _code(build_class(tmp_path))
    compared: list[tuple[str, str]] = []
    real = similarity._sharing_pairs

    def sharing(prints: dict) -> list[tuple[str, str]]:
        pairs = real(prints)
        compared.extend(pairs)
        return pairs

    monkeypatch.setattr(similarity, "_sharing_pairs", sharing)
    found = similarity.function_matches(code)
    monkeypatch.setattr(similarity, "_sharing_pairs", _every_pair)
    assert found == similarity.function_matches(code)  # the same evidence, in the same order
    assert ("copier", "orig") in compared and len(compared) < len(FUNCTIONS) * len(_every_pair(code))


def test_a_fingerprint_made_again_without_more_boilerplate_is_the_one_copydetect_makes(tmp_path: Path) -> None:
    code = _code(build_class(tmp_path))
    base = similarity.boilerplate()
    compared = 0
    for function in (f.name for f in FUNCTIONS):
        writers = {student: functions[function] for student, functions in code.items() if function in functions}
        first = {student: similarity._fingerprint(snippet, base[function]) for student, snippet in writers.items()}
        common = set().union(*(f.hashes for f in first.values()))
        common = set(sorted(common)[::3])  # a third of every hash seen: some in each fingerprint
        for student, fingerprint in first.items():
            fresh = similarity._fingerprint(writers[student], base[function] | common)
            again = similarity._refingerprinted(fingerprint, base[function] | common)
            assert again.hashes == fresh.hashes and again.token_coverage == fresh.token_coverage
            assert {h: list(map(int, i)) for h, i in again.hash_idx.items()} == \
                {h: list(map(int, i)) for h, i in fresh.hash_idx.items()}
            assert vars(again).keys() == vars(fresh).keys()
            assert all(np.array_equal(getattr(again, name), getattr(fresh, name))
                       for name in ("raw_code", "filtered_code", "offsets", "k", "filename"))
            compared += fresh.hashes != fingerprint.hashes  # the boilerplate took something away
    assert compared > 10


def test_the_same_text_is_fingerprinted_once_and_as_if_alone(tmp_path: Path, monkeypatch) -> None:
    code = _code(build_class(tmp_path))
    code["copier_twin"], code["orig_twin"] = dict(code["copier"]), dict(code["orig"])  # byte for byte
    untouched = similarity.function_snippets(read_sources(DEFAULT_RELEASE))  # every TODO as given
    code.update({f"untouched{number}": dict(untouched) for number in range(30)})  # four holders are rare here
    base = similarity.boilerplate()
    made: list[str] = []
    real = similarity._fingerprint

    def counted(snippet: similarity.Snippet, excluded: set[int]):
        made.append(snippet.text)
        return real(snippet, excluded)

    for function in (f.name for f in FUNCTIONS):
        writers = {student: functions[function] for student, functions in code.items() if function in functions}
        made.clear()
        monkeypatch.setattr(similarity, "_fingerprint", counted)
        prints = similarity.fingerprints(writers, base[function], len(code))
        monkeypatch.setattr(similarity, "_fingerprint", real)
        assert sorted(made) == sorted({snippet.text for snippet in writers.values()})  # once per text
        assert prints["copier_twin"] is prints["copier"]
        # The docstring's definition, student by student: the class's common hashes, then each fresh.
        alone = {student: real(snippet, base[function]) for student, snippet in writers.items()}
        held = Counter(int(value) for fingerprint in alone.values() for value in fingerprint.hashes)
        common = {value for value, count in held.items() if count > max(2, int(similarity.COMMON_SHARE * len(code)))}
        for student, snippet in writers.items():
            fresh = real(snippet, base[function] | common)
            assert prints[student].hashes == fresh.hashes, (function, student)
            assert prints[student].token_coverage == fresh.token_coverage
    import copydetect

    calls: list[int] = []
    compare = copydetect.compare_files
    monkeypatch.setattr(copydetect, "compare_files", lambda a, b: calls.append(1) or compare(a, b))
    found = similarity.code_evidence(code)
    assert ("copier", "copier_twin") in {tuple(item["students"]) for item in found}
    once = len(calls)
    # Shared fingerprints are compared once per pair of them: the same evidence as each student's own copy.
    shared = similarity.fingerprints
    monkeypatch.setattr(similarity, "fingerprints", lambda *args: {
        student: copy.copy(fingerprint) for student, fingerprint in shared(*args).items()})
    assert similarity.code_evidence(code) == found
    assert once < len(calls) - once


@pytest.mark.e2e  # the corpora, every entry a submission, every pair of them per function
def test_every_pair_of_the_corpora_that_matches_at_all_shares_a_fingerprint(tmp_path: Path) -> None:
    """The pairs left out are exactly those copydetect finds no character of in common."""
    from copydetect import compare_files

    code = _corpora(tmp_path)
    base = similarity.boilerplate()
    matching = 0
    for function in (f.name for f in FUNCTIONS):
        writers = {student: functions[function] for student, functions in code.items() if function in functions}
        prints = similarity.fingerprints(writers, base[function], len(code))
        sharing = set(similarity._sharing_pairs(prints))
        for a, b in _every_pair(prints):
            matched = compare_files(prints[a], prints[b])[0]
            assert matched == 0 or (a, b) in sharing, (function, a, b, matched)
            matching += matched > 0
    assert matching > 100  # the docstring's measurement: 321 function pairs match at all


def _corpora(root: Path) -> dict[str, dict[str, similarity.Snippet]]:
    code = {}
    for kind in ("correct", "buggy", "tricky"):
        for path in sorted((CORPUS / kind).glob("*.py")):
            folder = build_submission(root / kind / path.stem, path)
            code[f"{kind}/{path.stem}"] = similarity.function_snippets(read_sources(folder))
    return code


@pytest.mark.e2e  # the corpora, every entry a submission
def test_no_pair_of_the_corpora_is_flagged(tmp_path: Path) -> None:
    """Every independent implementation of the corpora against every other (the docstring's measurement)."""
    code = _corpora(tmp_path)
    assert len(code) > 150
    assert similarity.code_evidence(code) == []


def test_a_shared_wrong_answer_is_evidence_unless_it_is_common() -> None:
    probes = {f"s{i:02d}": {} for i in range(40)}
    probes["s01"] = probes["s02"] = {"rnn_backward": "aaaa"}  # 2 of 40: unusual
    for i in range(10, 15):  # 5 of 40 (more than 10%): a common mistake
        probes[f"s{i:02d}"] = {"relu_backward": "bbbb"}
    evidence = similarity.probe_evidence(probes, 40)
    assert [(e["function"], e["students"]) for e in evidence] == [("rnn_backward", ["s01", "s02"])]
    assert evidence[0]["text"] == "same wrong answer on the class probe in rnn_backward, shared by 2 of 40 students"
    groups = similarity._groups(evidence)
    assert groups == [{"students": ["s01", "s02"], "evidence": evidence}]


def test_similar_groups_reads_the_graded_folder_and_the_recorded_submissions(tmp_path: Path) -> None:
    submissions = build_class(tmp_path)
    out = tmp_path / "out"
    for student in sorted(p.name for p in submissions.iterdir()):
        probe = {"relu_backward": "cafe"} if student.startswith("odd") else {}
        (out / student).mkdir(parents=True)
        (out / student / "results.json").write_text(json.dumps({"score": 1, "extra_data": {"probe": probe}}))
    (out / similarity.SUBMISSIONS_NOTE).write_text(f"{submissions}\n")
    groups = similarity.similar_groups(out)
    assert [g["students"] for g in groups] == [["copier", "orig"], ["odd0", "odd1"]]
    assert {e["kind"] for e in groups[0]["evidence"]} == {"code"}
    assert [e["kind"] for e in groups[1]["evidence"]] == ["probe"]
    assert [g["students"] for g in similarity.similar_groups(out, tmp_path / "elsewhere")] == [["odd0", "odd1"]]


@pytest.mark.e2e
def test_the_probe_never_changes_a_grade_and_digests_only_uncatalogued_wrong_answers(tmp_path: Path) -> None:
    reference = load_reference(DEFAULT_REFERENCE)
    folders = [build_submission(tmp_path / f"odd{n}", _fragment(tmp_path / "f", f"odd{n}", text))
               for n, text in enumerate(ODD_RELU)]
    folders.append(build_submission(tmp_path / "catalogued", CORPUS / "buggy" / "relu_forgot_dout.py"))
    folders.append(build_submission(tmp_path / "correct", CORPUS / "correct" / "relu_where_ge.py"))
    digests = []
    for number, folder in enumerate(folders):
        own, probe = similarity.grade_with_probe(folder, reference, 100 + number, 7, 5.0)
        alone = grade(folder, reference, 100 + number, 5.0)
        assert scores_by_function(own) == scores_by_function(alone) and own.seed == 100 + number
        digests.append(probe)
    assert digests[0] == digests[1] and set(digests[0]) == {"relu_backward"}
    assert digests[2] == {} and digests[3] == {}  # a catalogued mistake, a correct answer: no evidence


@pytest.mark.e2e
def test_grade_all_flags_the_planted_pairs_only_and_the_probe_is_ta_data(tmp_path: Path) -> None:
    submissions = build_class(tmp_path)
    out = tmp_path / "out"
    done = batch.grade_all(submissions, out, jobs=2)
    assert done.complete and not done.failed
    assert (out / similarity.SUBMISSIONS_NOTE).read_text().strip() == str(submissions.resolve())
    groups = similarity.similar_groups(out)
    assert [g["students"] for g in groups] == [["copier", "orig"], ["odd0", "odd1"]]
    reference = load_reference(DEFAULT_REFERENCE)
    for student in ("odd0", "indep_buggy_relu_forgot_dout", "copier"):
        results = json.loads((out / student / "results.json").read_text())
        alone = grade(submissions / student, reference, results["extra_data"]["seed"])
        assert results["score"] == alone.score  # the probe never changes a grade
        for name in ("report.txt", "report.html"):  # nor shows in what the student reads
            assert "probe" not in (out / student / name).read_text().lower()
