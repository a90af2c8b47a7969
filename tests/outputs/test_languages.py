"""The same Grade, said in English and in Vietnamese: the same scores and findings, only the words differ,
and a Vietnamese student reads no English sentence on any surface.

The detector below is deliberately plain: it takes out what is never translated (code spans, file names,
identifiers, numbers and shapes, numpy's and Python's own error messages, HTML markup), then counts English
function words per line. A line with two or more of them is an English sentence. It is shown to find
plenty in the English report, so that its silence on the Vietnamese one means something.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pytest
from helpers import CORPUS, build_submission

from autograder import DEFAULT_REFERENCE, EXAMPLES
from autograder.core.spec import BY_NAME, FUNCTIONS
from autograder.grading.grade import Grade, grade
from autograder.integrations.nbgrader.layer_cells import cell_feedback, cell_html
from autograder.outputs.feedback import Audience, build_feedback
from autograder.outputs.html_report import render_html
from autograder.outputs.report import WIDTH, _width, render_text
from autograder.outputs.results_json import dumps, gradescope_results

SEED = 5
# A few corpus mistakes besides the examples: a crash with numpy's message, a wrong shape, a NaN in
# saturation, an in-place change, a wrong cache, a loss that is an array.
MISTAKES = ["affine_dx_no_transpose_crash", "relu_dout_in_place", "sigmoid_overflowing_formula",
            "svm_loss_margins_matrix", "rnn_assign_instead_of_accumulate", "rnn_cache_pop"]
# Backwards that measure their gradient, one of each kind the source reader names (a finite difference in a
# helper, autograd, a numerical differentiator, a complex step, unreadable code, code run at import time, a
# rebinding, a module too deeply nested to read), and code swapped in while the module ran.
MEASURED = ["sigmoid_decorator", "affine_unit_step", "softmax_torch", "tanh_polyfit", "sigmoid_complex_step",
            "tanh_complex_dtype_string", "svm_marshal_base64", "exec_at_import", "tanh_global_rebinding",
            "sigmoid_deeply_nested_line", "relu_module_object_passed", "relu_code_swap"]

# Not "in" nor "do": they are Vietnamese words too ("in ra", printed; "do", by).
FUNCTION_WORDS = frozenset({
    "the", "a", "an", "your", "you", "is", "are", "was", "were", "be", "been", "of", "to", "on", "at", "by", "for",
    "with", "from", "and", "or", "not", "no", "it", "its", "this", "that", "which", "when", "where", "than", "then",
    "so", "but", "if", "should", "must", "expected", "got", "has", "have", "does", "did", "looks", "like", "more",
    "each", "every", "all", "only", "instead", "yet", "here", "there", "what", "why", "how"})
# English words the glossary keeps, and names a student meets in code: not counted, and not function words.
IDENTIFIERS = frozenset({function.name for function in FUNCTIONS} | {function.forward for function in FUNCTIONS}
                        | {name for function in FUNCTIONS for name in function.args})
# numpy's and Python's words: after " -- " (a student's crash line), after an exception's name (a TA's), or
# after a syntax error's line.
_LIBRARY = re.compile(r" -- .*$|\b[A-Z]\w*(?:Error|Exception|Warning): .*$|(?:syntax error on line|lỗi cú pháp ở dòng) "
                      r"\d+: .*$")
_CODE = re.compile(r"`[^`]*`")
_TAG = re.compile(r"<style>.*?</style>|<[^>]+>", re.S)


def _unwrapped(text: str) -> list[str]:
    """The report's lines with each wrapped row joined to the row it continues (indented two further)."""
    lines: list[str] = []
    for row in text.splitlines():
        indent = len(row) - len(row.lstrip(" "))
        if lines and row.strip() and indent == len(lines[-1]) - len(lines[-1].lstrip(" ")) + 2:
            lines[-1] += " " + row.strip()
        else:
            lines.append(row)
    return lines


def english_lines(text: str) -> list[str]:
    """The lines of ``text`` that read as English sentences once code, names and library messages are out."""
    found = []
    for line in _unwrapped(_TAG.sub("\n", text)):
        plain = _CODE.sub(" ", _LIBRARY.sub("", html.unescape(line)))
        words = []
        for token in plain.split():
            token = token.strip(",;:.!?\"'()[]")
            if not token.isalpha() or token in IDENTIFIERS or re.search(r"[\d_=@*/<>#\[\]().]", token):
                continue
            words.append(token.lower())
        if len({word for word in words if word in FUNCTION_WORDS}) >= 2:
            found.append(line.strip())
    return found


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Grade]:
    """The example submissions and a few corpus mistakes, graded once."""
    graded = {f"example {folder.name}": grade(folder, DEFAULT_REFERENCE, SEED)
              for folder in sorted(EXAMPLES.iterdir()) if folder.is_dir()}
    for name in MISTAKES:
        source = CORPUS / "buggy" / f"{name}.py"
        folder = build_submission(tmp_path_factory.mktemp(name), source)
        graded[name] = grade(folder, DEFAULT_REFERENCE, SEED)
    for name in MEASURED:
        folder = build_submission(tmp_path_factory.mktemp(name), CORPUS / "measured" / f"{name}.py")
        graded[f"measured {name}"] = grade(folder, DEFAULT_REFERENCE, SEED)
        assert graded[f"measured {name}"].measured, name
    return graded


def student_surfaces(result: Grade, language: str) -> dict[str, str]:
    """Everything a student reads of ``result``: report.txt, report.html, results.json's texts, nbgrader cells."""
    feedback = build_feedback(result, Audience.STUDENT, language)
    results = gradescope_results(result, seed=False, language=language)
    texts = [results["output"], *(test["name"] + "\n" + test["output"] for test in results["tests"])]
    cells = []
    for function in FUNCTIONS:
        own = [r for r in result.results if r.verdict.function is function]
        if own:
            cells += [cell_feedback(function, own, result, 0.0, 2.0, language),
                      cell_html(function, result, 0.0, 2.0, language)]
    return {"report.txt": render_text(feedback), "report.html": render_html(feedback),
            "results.json": "\n".join(texts), "nbgrader cells": "\n".join(cells)}


def test_the_detector_finds_english_in_the_english_report(grades: dict[str, Grade]) -> None:
    for name, result in grades.items():
        for surface, text in student_surfaces(result, "en").items():
            found = english_lines(text)
            if result.measured:  # otherwise right: what is English is why the measured ones score 0
                assert any("scores 0" in line for line in found), f"{name}, {surface}: the measured line is missed"
            else:
                assert len(found) >= 3, f"{name}, {surface}: the detector sees no English in English"


def test_a_vietnamese_student_reads_no_english_sentence(grades: dict[str, Grade]) -> None:
    for name, result in grades.items():
        for surface, text in student_surfaces(result, "vi").items():
            assert english_lines(text) == [], f"{name}, {surface}"


def test_the_same_grade_says_the_same_in_both_languages(grades: dict[str, Grade]) -> None:
    for result in grades.values():
        english, vietnamese = (build_feedback(result, Audience.STUDENT, lang) for lang in ("en", "vi"))
        assert (english.score, english.max_score) == (vietnamese.score, vietnamese.max_score)
        for one, other in zip(english.functions, vietnamese.functions, strict=True):
            assert (one.name, one.points, one.max_points, bool(one.summary), len(one.notes)) == \
                (other.name, other.points, other.max_points, bool(other.summary), len(other.notes))
            for check, again in zip(one.checks, other.checks, strict=True):
                assert (check.check, check.points, check.passed, len(check.mistakes)) == \
                    (again.check, again.points, again.passed, len(again.mistakes))
                assert [len(case.findings) for case in check.cases] == [len(case.findings) for case in again.cases]
                assert len(check.lines()) == len(again.lines(vietnamese.say))
        en_json, vi_json = (json.loads(dumps(gradescope_results(result, seed=False, language=lang)))
                            for lang in ("en", "vi"))
        assert [(t["score"], t["status"], t["tags"]) for t in en_json["tests"]] == \
            [(t["score"], t["status"], t["tags"]) for t in vi_json["tests"]]


def test_a_vietnamese_report_keeps_within_its_columns_and_is_nfc(grades: dict[str, Grade]) -> None:
    for result in grades.values():
        text = render_text(build_feedback(result, Audience.STUDENT, "vi"))
        assert unicodedata.is_normalized("NFC", text)
        # A check's title line is the only line the report does not wrap (in English too, where some are wider).
        rows = [row for row in text.splitlines() if not re.match(r"\s+[✓✗] ", row)]
        assert max(_width(row) for row in rows) <= WIDTH
    assert _width("dx sai ở cả 21 phần tử") == len("dx sai ở cả 21 phần tử")  # precomposed: one column each
    assert _width(unicodedata.normalize("NFD", "phần tử")) == len("phần tử")  # combining marks take none


def test_the_html_page_says_its_language(grades: dict[str, Grade]) -> None:
    result = next(iter(grades.values()))
    for language in ("en", "vi"):
        assert f'<html lang="{language}">' in render_html(build_feedback(result, Audience.STUDENT, language))


def test_code_names_and_numbers_stay_as_they_are(grades: dict[str, Grade]) -> None:
    """Only words change: every identifier and number of the English report is in the Vietnamese one too."""
    result = grades["sigmoid_overflowing_formula"]
    english, vietnamese = (render_text(build_feedback(result, Audience.STUDENT, lang)) for lang in ("en", "vi"))
    names = IDENTIFIERS | {grad for function in FUNCTIONS for grad, _ in function.grads}
    for name in names:
        assert (re.search(rf"(?<!\w){name}(?!\w)", english) is None) == \
            (re.search(rf"(?<!\w){name}(?!\w)", vietnamese) is None), name
    for pattern in (r"\w+\[[\d, ]+\]", r"\d+ / \d+", r"\(\d+(?:, \d+)*\)"):
        assert sorted(set(re.findall(pattern, english))) == sorted(set(re.findall(pattern, vietnamese))), pattern


def test_the_nbgrader_cell_is_in_the_course_language(grades: dict[str, Grade]) -> None:
    result = grades["sigmoid_overflowing_formula"]
    function = BY_NAME["sigmoid_backward"]
    own = [r for r in result.results if r.verdict.function is function]
    text = cell_feedback(function, own, result, 1.0, 8.0, "vi")
    assert text.startswith("sigmoid_backward: 1 / 8 điểm, do trình chấm của khóa học chấm từ file layers.py")
    assert "bão hòa" in text and "có vẻ là:" in text


def test_every_case_a_generator_draws_has_a_translated_kind() -> None:
    """A new case label must be added to ``case_kinds.KINDS`` (and translated), or a student reads it in English."""
    from autograder.core.cases import cases_for
    from autograder.core.text import catalog
    from autograder.outputs.case_kinds import KINDS
    from autograder.outputs.feedback import _shape_words

    drawn = {_shape_words(case.label) for seed in range(12) for function in FUNCTIONS
             for cases in cases_for(function, seed).values() for case in cases}
    assert drawn <= set(KINDS), sorted(drawn - set(KINDS))
    untranslated = [kind for kind in KINDS if catalog("vi").gettext(kind) == kind and english_lines(kind)]
    assert not untranslated


def test_the_demo_in_vietnamese_prints_no_english_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    """``demo --lang vi`` prints the TA's reports: their values, cases, causes and sandbox line in Vietnamese too."""
    from autograder.course.demo import run_demo

    printed = {}
    for language in ("en", "vi"):
        assert run_demo(4, language) == 0
        printed[language] = capsys.readouterr().out
    assert len(english_lines(printed["en"])) >= 20
    assert english_lines(printed["vi"]) == []
    assert unicodedata.is_normalized("NFC", printed["vi"])
    assert "Chấm lời giải tham chiếu" in printed["vi"] and "sai phân hữu hạn cho" in printed["vi"]
    assert "không có mạng ✓" in printed["vi"] or "không có mạng ✗" in printed["vi"]


def _in_a_terminal(*args: str) -> str:
    """What ``python -m autograder ARGS`` prints to a terminal (a pseudo-terminal), as the terminal received it."""
    import os
    import pty
    import subprocess
    import sys

    from autograder import KIT_ROOT

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "autograder", *args], cwd=KIT_ROOT, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    received = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child has closed its end
            break
        if not chunk:
            break
        received.append(chunk)
    os.close(leader)
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors.decode(errors="replace")[-2000:]
    return b"".join(received).decode("utf-8").replace("\r\n", "\n")  # strict: every byte is UTF-8


@pytest.mark.parametrize("audience", ["ta", "student"])
def test_the_vietnamese_report_in_a_terminal_is_nfc_and_keeps_within_its_columns(
        tmp_path: Path, audience: str) -> None:
    """``grade --lang vi`` in a terminal, of a submission with wrong values and a measured backward: NFC, and
    no row wider than the report's WIDTH columns but a check's title (which English does not wrap either)."""
    folder = build_submission(tmp_path, CORPUS / "buggy" / "affine_dx_no_transpose_crash.py",
                              CORPUS / "measured" / "relu_module_object_passed.py")
    text = _in_a_terminal("grade", str(folder), "--lang", "vi", "--seed", str(SEED), "--for", audience)
    assert unicodedata.is_normalized("NFC", text)
    assert "điểm" in text and "sai phân hữu hạn" in text
    rows = [row for row in text.splitlines() if not re.match(r"\s+[✓✗] ", row)]
    assert max(_width(row) for row in rows) <= WIDTH, [row for row in rows if _width(row) > WIDTH]
    assert english_lines(text) == []


def test_what_the_child_says_of_an_exception_reads_in_vietnamese_for_the_ta() -> None:
    """The child's own lines (an exception with the line it came from, a sandbox wall it hit) keep their English
    and say the grader's words in Vietnamese; Python's and numpy's message stays as it is."""
    from autograder.core.text import speaker
    from autograder.outputs.feedback import exception_line

    vi = speaker("vi")
    lines = {
        "ValueError: operands could not be broadcast together (line 3: dx = dout * w)":
            "ValueError: operands could not be broadcast together (dòng 3: dx = dout * w)",
        "your code ran out of memory (limit 1 GB) (line 4: x = [0] * 10**10) [MemoryError]":
            "code của bạn đã dùng hết bộ nhớ (giới hạn 1 GB) (dòng 4: x = [0] * 10**10) [MemoryError]",
        "your code tried to use the network, which is switched off while grading [OSError]":
            "code của bạn đã thử dùng mạng, vốn bị tắt trong lúc chấm [OSError]",
        "your code did something no wall says [OSError]": "your code did something no wall says [OSError]",
    }
    for english, vietnamese in lines.items():
        said = exception_line(english)
        assert said == english and vi(said) == vietnamese
