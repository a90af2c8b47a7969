"""The release in every language: one source, the same code, and a translated run that says nothing in English."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from english import english_words
from helpers import CORPUS, corpus_entry, reference_source

from autograder.core import language
from autograder.course.localize import blocks
from autograder.course.notebook_text import (
    LITERAL,
    is_prompt,
    nbgrader_checksum,
    prose_literals,
    translatable,
    translate_notebook,
)
from autograder.course.release import release_dir

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "backprop"
ASSIGNMENT = ROOT / "assignment" / "backprop"
VI = release_dir(ASSIGNMENT, "vi")
# Files a student never reads as prose, or reads in their own language at run time: the same bytes in every release.
SHARED = ("conftest.py", "test_layers.py", "test_rnn_layers.py", "pytest.ini", "nbcheck.py", "gradcheck.py",
          "language.py", "public_cases.json", "requirements.txt", "locale/vi/LC_MESSAGES/assignment.mo")
TRANSLATED_LINES = ("# Hint:", "# TODO:", "raise NotImplementedError(")
RUN_LIMIT = 120  # seconds: a run of the public tests that takes longer counts as hung


def test_the_vietnamese_release_sits_beside_the_english_one() -> None:
    assert VI == ROOT / "assignment-vi" / "backprop"
    assert release_dir(ASSIGNMENT, "en") == ASSIGNMENT


@pytest.mark.parametrize("name", SHARED)
def test_the_files_that_are_not_prose_are_the_same_in_both_releases(name: str) -> None:
    assert (VI / name).read_bytes() == (ASSIGNMENT / name).read_bytes()


def test_only_the_translated_release_names_its_language() -> None:
    assert (VI / "locale" / language.RELEASE_LANGUAGE_FILE).read_text(encoding="utf-8") == "vi\n"
    assert not (ASSIGNMENT / "locale" / language.RELEASE_LANGUAGE_FILE).exists()


@pytest.mark.parametrize("module", ["layers.py", "rnn_layers.py"])
def test_the_vietnamese_modules_differ_only_in_hints_and_stubs(module: str) -> None:
    english = (ASSIGNMENT / module).read_text(encoding="utf-8").splitlines()
    vietnamese = (VI / module).read_text(encoding="utf-8").splitlines()
    assert len(english) == len(vietnamese)
    changed = [(en, vi) for en, vi in zip(english, vietnamese, strict=True) if en != vi]
    assert changed
    for en, vi in changed:
        assert en.strip().startswith(TRANSLATED_LINES), (en, vi)
        assert english_words(vi.replace("NotImplementedError", "")) == [], vi
    # Every hint was translated, its label too ("TODO" is the marker editors look for, and stays).
    assert not [line for line in vietnamese if line.strip().startswith("# Hint:")]


def test_the_vietnamese_readme_keeps_its_code_and_translates_every_paragraph() -> None:
    english = blocks((ASSIGNMENT / "README.md").read_text(encoding="utf-8"))
    vietnamese = blocks((VI / "README.md").read_text(encoding="utf-8"))
    assert [prose for _, _, prose in english] == [prose for _, _, prose in vietnamese]
    for (_, en, prose), (_, vi, _) in zip(english, vietnamese, strict=True):
        if prose:
            assert vi != en and english_words(vi) == [], vi
        else:
            assert vi == en
    assert "BACKPROP_LANG=vi pytest" in (VI / "README.md").read_text(encoding="utf-8")
    assert "BACKPROP_LANG=vi pytest" in (ASSIGNMENT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("release", "environ", "expected"),
    [
        (VI, {}, "vi"),
        (VI, {"LANG": "en_US.UTF-8"}, "vi"),  # the course's choice beats a computer's English locale
        (VI, {"BACKPROP_LANG": "en"}, "en"),  # and the student's choice beats the course's
        (ASSIGNMENT, {}, "en"),
        (ASSIGNMENT, {"LANG": "vi_VN.UTF-8"}, "vi"),
        (ASSIGNMENT, {"BACKPROP_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
    ],
)
def test_the_public_tests_language_is_the_students_then_the_releases_then_the_locales(
    release: Path, environ: dict[str, str], expected: str
) -> None:
    said = language.for_release("assignment", release, environ).gettext("your code")
    assert said == {"en": "your code", "vi": "code của bạn"}[expected]


def test_the_detector_finds_english_and_leaves_code_numbers_and_library_text_alone() -> None:
    assert english_words("affine_backward, case 'square_weights': dx[1, 1, 0]: expected -2.89957, got 2.90963")
    assert english_words("relu_backward modified dout in place; compute new arrays instead")
    assert english_words("affine_backward, trường hợp 'square_weights': dx[1, 1, 0]: cần -2.89957, nhận được 2") == []
    assert english_words(
        "affine_backward gây ra ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0 "
        "(size 7 is different from 3) (layers.py, dòng 55: dx = (dout @ w).reshape(x.shape)); có vẻ dx thiếu "
        "phép chuyển vị của w"
    ) == []
    assert english_words("===== FAILURES =====\n..F.s [100%]\n3 failed, 40 passed, 1 skipped in 0.61s") == []
    assert english_words("nó toàn số 0") == []  # "toàn" is one word, not "to" and "n"


# ---------------------------------------------------------------------------------------------
# The notebooks

NOTEBOOKS = sorted(path.name for path in ASSIGNMENT.glob("*.ipynb"))


def _cells(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / name).read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_cell_nbgrader_grades_or_runs_is_the_english_one(name: str) -> None:
    english, vietnamese = _cells(ASSIGNMENT, name), _cells(VI, name)
    assert [cell["id"] for cell in english] == [cell["id"] for cell in vietnamese]
    tracked = [(en, vi) for en, vi in zip(english, vietnamese, strict=True) if not translatable(en)]
    assert tracked and all(en == vi for en, vi in tracked)  # source, metadata, grade id and checksum


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_question_s_prompt_is_translated_with_the_checksum_nbgrader_gives_its_text(name: str) -> None:
    english, vietnamese = _cells(ASSIGNMENT, name), _cells(VI, name)
    prompts = [(en, vi) for en, vi in zip(english, vietnamese, strict=True) if is_prompt(en)]
    assert prompts  # every notebook asks one written question
    for en, vi in prompts:
        assert "".join(vi["source"]) != "".join(en["source"]) and english_words("".join(vi["source"])) == []
        en_meta, vi_meta = dict(en["metadata"]["nbgrader"]), dict(vi["metadata"]["nbgrader"])
        assert vi_meta.pop("checksum") == nbgrader_checksum(vi) != en_meta.pop("checksum")
        assert vi_meta == en_meta  # locked, ungraded, the same grade id


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_narrative_is_translated_and_the_code_is_the_same(name: str) -> None:
    english, vietnamese = _cells(ASSIGNMENT, name), _cells(VI, name)
    for en, vi in zip(english, vietnamese, strict=True):
        if not translatable(en):
            continue
        en_text, vi_text = "".join(en["source"]), "".join(vi["source"])
        if en["cell_type"] == "markdown":
            assert vi_text != en_text and english_words(vi_text) == [], vi_text
        else:
            # Only the prose inside string literals differs: the code around them is the same.
            assert LITERAL.sub('""', vi_text) == LITERAL.sub('""', en_text)
            compile(vi_text, name, "exec")
            for _, body in prose_literals(vi_text):
                assert english_words(re.sub(r"\{[^{}]*\}", " ", body)) == [], body


@pytest.mark.parametrize("folder", [ASSIGNMENT, SOLUTIONS], ids=["released", "source"])
def test_translating_with_no_catalog_gives_the_notebook_back_byte_for_byte(folder: Path) -> None:
    for path in sorted(folder.glob("*.ipynb")):
        same = translate_notebook(path.read_text(encoding="utf-8"), lambda message: message)
        assert same.encode("utf-8") == path.read_bytes()


# ---------------------------------------------------------------------------------------------
# The public tests, run in Vietnamese as a student would


def _with_entry(folder: Path, entry: str) -> Path:
    """``folder`` holding what a student wrote: the skeleton, or the reference with a buggy corpus entry."""
    if entry == "untouched":
        return folder
    if entry == "syntax_error":
        (folder / "layers.py").write_text(reference_source("layers") + "\n\ndef broken(:\n    pass\n")
        return folder
    if entry == "endless_loop":
        source = reference_source("layers").replace("dx = dout * (x > 0)", "while True:\n        pass")
        (folder / "layers.py").write_text(source)
        return folder
    path = CORPUS / "buggy" / f"{entry}.py"
    for module in ("layers", "rnn_layers"):
        source = reference_source(module)
        if corpus_entry(path)["TARGET"] == module:
            source += "\n\n" + path.read_text(encoding="utf-8")
        (folder / f"{module}.py").write_text(source + "\n", encoding="utf-8")
    return folder


def _time_limit(entry: str) -> list[str]:
    """The release's own limit a test (10 s), except for the entry whose loop never ends: the runs are compared
    word for word, and a tighter limit, on a loaded machine, stops a test that was only slow in one of them
    (the loop is waited for once per function, so 5 s costs little)."""
    return ["-o", "time_limit=5"] if entry == "endless_loop" else []


def _run(tmp_path: Path, release: Path, entry: str, lang: str | None) -> str:
    """The output of ``pytest`` in a copy of ``release`` holding ``entry``, with BACKPROP_LANG=lang if given."""
    folder = tmp_path / f"{release.parent.name}-{lang}"
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".hypothesis"))
    # A computer with no Vietnamese locale: only BACKPROP_LANG and the release choose.
    locale = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", language.VARIABLE)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST", "PYTHON")) and key not in locale}
    # CI set, as on a student's CI service: hypothesis then loads its "ci" profile, which prints more.
    env.update({"LANG": "C.UTF-8", "CI": "true", **({language.VARIABLE: lang} if lang else {})})
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", *_time_limit(entry)], cwd=_with_entry(folder, entry),
                              env=env, capture_output=True, text=True, timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"the public tests did not finish within {RUN_LIMIT} s:\n{hung.stdout!r:.2000}")
    assert done.returncode == 1, done.stdout + done.stderr  # every entry leaves something to fix
    # Where the copy is (numpy's warnings name the file) is not what the run says.
    return (done.stdout + done.stderr).replace(str(folder), "<release>")


@pytest.mark.parametrize("release", [ASSIGNMENT, VI], ids=["en", "vi"])
def test_a_language_the_kit_does_not_speak_stops_the_public_tests_in_one_line(tmp_path: Path, release: Path) -> None:
    folder = tmp_path / "release"
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".hypothesis"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    done = subprocess.run([sys.executable, "-m", "pytest"], cwd=folder, env={**env, language.VARIABLE: "fr"},
                          capture_output=True, text=True, timeout=RUN_LIMIT)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert (done.stdout + done.stderr).strip() == "ERROR: BACKPROP_LANG asks for language 'fr'; the kit speaks en, vi"


def _untimed(output: str) -> str:
    return re.sub(r" in [\d.]+s\b", " in ?s", output)


ENTRIES = [
    "untouched", "syntax_error", "endless_loop", "affine_dx_no_transpose_crash", "relu_dout_alias", "rnn_cache_pop",
    "softmax_loss_per_example", "softmax_log_of_probs", "huber_delta_ignored", "rnn_assign_instead_of_accumulate",
    "clip_per_tensor", "rnn_dh0_zero",
]


@pytest.mark.e2e  # the public tests run as a student runs them, four times per entry
@pytest.mark.parametrize("entry", ENTRIES)
def test_a_vietnamese_run_says_nothing_in_english_and_the_english_run_is_unchanged(tmp_path: Path, entry: str) -> None:
    english = _run(tmp_path, ASSIGNMENT, entry, None)
    assert english_words(english), english  # the detector sees the English run's English
    for release, lang in ((VI, None), (ASSIGNMENT, "vi")):
        output = _run(tmp_path, release, entry, lang)
        assert english_words(output) == [], output
        assert "Traceback" not in output, output
    # The Vietnamese release speaks English on request, in the very words of the English release (only the
    # skeleton's own stub messages are written in the release's language).
    if entry != "untouched":
        assert _untimed(_run(tmp_path, VI, entry, "en")) == _untimed(english)


@pytest.mark.e2e  # real nbgrader generate_assignment
def test_a_course_teaching_in_vietnamese_releases_the_vietnamese_assignment_with_nbgrader(tmp_path: Path) -> None:
    from nbgrader_course import ASSIGNMENT as ASSIGNMENT_ID
    from nbgrader_course import nbgrader

    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    assert config.count('COURSE_LANGUAGE = "en"') == 1
    (tmp_path / "nbgrader_config.py").write_text(config.replace('COURSE_LANGUAGE = "en"', 'COURSE_LANGUAGE = "vi"'))
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    done = nbgrader(tmp_path, "generate_assignment", ASSIGNMENT_ID)
    assert done.returncode == 0, done.stdout + done.stderr
    released = tmp_path / "assignment-vi" / ASSIGNMENT_ID
    assert not (tmp_path / "assignment").exists()
    # What the course's nbgrader releases is the committed Vietnamese release, notebooks and all.
    committed = {p.relative_to(VI).as_posix(): p.read_bytes() for p in VI.rglob("*") if p.is_file()}
    fresh = {p.relative_to(released).as_posix(): p.read_bytes() for p in released.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []


def _solved(course: Path, release: Path) -> dict[str, dict]:
    """The notebooks of ``release`` with every answer written as in the course's source (markers dropped)."""
    from nbgrader_course import grade_id

    notebooks = {}
    for path in sorted(release.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        source = json.loads((course / "solutions" / "backprop" / path.name).read_text(encoding="utf-8"))
        answers = {grade_id(cell): cell for cell in source["cells"] if grade_id(cell)}
        for cell in notebook["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                lines = "".join(answers[grade_id(cell)]["source"]).splitlines(keepends=True)
                cell["source"] = "".join(line for line in lines if "### " not in line)
        notebooks[path.name] = notebook
    return notebooks


@pytest.mark.e2e  # real nbgrader: generate_assignment and autograde, with confined kernels
def test_a_vietnamese_course_grades_the_vietnamese_notebooks_as_the_english_ones(tmp_path: Path) -> None:
    from nbgrader_course import ASSIGNMENT as ASSIGNMENT_ID
    from nbgrader_course import correct_modules, gradebook_scores, nbgrader

    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    (tmp_path / "nbgrader_config.py").write_text(config.replace('COURSE_LANGUAGE = "en"', 'COURSE_LANGUAGE = "vi"'))
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    done = nbgrader(tmp_path, "generate_assignment", ASSIGNMENT_ID)
    assert done.returncode == 0, done.stdout + done.stderr
    modules = correct_modules(tmp_path / "modules")
    # The same work, handed in once in the Vietnamese notebooks and once in the English ones.
    for student, release in (("vi", tmp_path / "assignment-vi" / ASSIGNMENT_ID), ("en", ASSIGNMENT)):
        folder = tmp_path / "submitted" / student / ASSIGNMENT_ID
        shutil.copytree(release, folder, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for name, notebook in _solved(tmp_path, release).items():
            (folder / name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
        for name in ("layers.py", "rnn_layers.py"):
            shutil.copyfile(modules / name, folder / name)
    graded = nbgrader(tmp_path, "autograde", ASSIGNMENT_ID)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    scores, max_points = gradebook_scores(tmp_path, ["vi", "en"])
    assert scores["vi"] == scores["en"]
    # Every automatic point, in either language (the written questions wait for a TA).
    automatic = {cell: points for cell, points in max_points.items() if not cell.endswith("_question")}
    assert {cell: scores["vi"][cell] for cell in automatic} == automatic


@pytest.mark.e2e  # nbgrader's validator runs the notebook
def test_nbgrader_validate_accepts_the_translated_prompts_and_still_sees_a_changed_one(tmp_path: Path) -> None:
    from nbgrader.validator import Validator

    name = "4_dqn_clipped_delta.ipynb"
    shutil.copytree(VI, tmp_path / "vi", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    untouched = Validator().validate(str(tmp_path / "vi" / name))
    assert "changed" not in untouched and "type_changed" not in untouched, untouched
    notebook = json.loads((tmp_path / "vi" / name).read_text(encoding="utf-8"))
    prompt = next(cell for cell in notebook["cells"] if is_prompt(cell))
    prompt["source"] = "".join(prompt["source"]) + " (đã sửa)"
    (tmp_path / "vi" / name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
    assert "changed" in Validator().validate(str(tmp_path / "vi" / name))
