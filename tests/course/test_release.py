"""The student release: in sync with the solution, free of solution code, and its public tests work."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, corpus_entry, reference_source
from packaging.requirements import Requirement

from autograder.core.language import LANGUAGES
from autograder.core.spec import FUNCTIONS, MODULES
from autograder.course.release import (
    find_leaks,
    locked_versions,
    public_cases,
    release,
    release_dir,
    solution_lines,
    strip_solutions,
)

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "backprop"
ASSIGNMENT = ROOT / "assignment" / "backprop"
# Every release: English, and each other language the kit speaks (assignment-vi/backprop).
RELEASES = {lang: release_dir(ASSIGNMENT, lang) for lang in LANGUAGES}
MANAGED = {".py", ".json", ".txt", ".ini"}
# The graded functions per student file, from the grader's own list.
GRADED = {f"{module}.py": [f.name for f in FUNCTIONS if f.module == module] for module in MODULES}


# ---------------------------------------------------------------------------------------------
# strip_solutions


def test_strip_keeps_indentation_and_names_the_function() -> None:
    source = (
        "def outer(x):\n"
        "    y = x + 1\n"
        "    ### BEGIN SOLUTION\n"
        "    z = y * 2\n"
        "    ### END SOLUTION\n"
        "    return z\n"
        "\n"
        "\n"
        "class Layer:\n"
        "    def backward(self, dout):\n"
        "        if dout is not None:\n"
        "            ### BEGIN SOLUTION\n"
        "            dx = dout\n"
        "\n"
        "            ### END SOLUTION\n"
        "        return dx\n"
    )
    stripped = strip_solutions(source)
    assert "z = y * 2" not in stripped and "dx = dout" not in stripped
    assert "SOLUTION" not in stripped
    assert '    raise NotImplementedError("outer is not implemented yet")\n    return z\n' in stripped
    assert '            raise NotImplementedError("backward is not implemented yet")\n        return dx\n' in stripped
    assert stripped.count("# TODO: ") == 2
    assert stripped.startswith("def outer(x):\n    y = x + 1\n    # TODO: ")
    compile(stripped, "<stripped>", "exec")


def test_strip_keeps_a_hint_without_repeating_it() -> None:
    source = (
        "def f(x):\n"
        "    # Hint: the local gradient is 1 - y**2.\n"
        "    ### BEGIN SOLUTION\n"
        "    return 1 - x**2\n"
        "    ### END SOLUTION\n"
    )
    lines = strip_solutions(source).splitlines()
    assert lines[1] == "    # Hint: the local gradient is 1 - y**2."
    assert lines[2].startswith("    # TODO: ") and "1 - y**2" not in lines[2]
    assert lines[3] == '    raise NotImplementedError("f is not implemented yet")'


def test_strip_leaves_a_file_without_markers_alone() -> None:
    source = "def f(x):\n    return x\n"
    assert strip_solutions(source) == source


@pytest.mark.parametrize(
    "body",
    [
        "    ### BEGIN SOLUTION\n    y = x\n",  # never closed
        "    y = x\n    ### END SOLUTION\n",  # never opened
        "    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n",  # nested
    ],
)
def test_strip_rejects_unbalanced_markers(body: str) -> None:
    with pytest.raises(ValueError, match="SOLUTION"):
        strip_solutions(f"def f(x):\n{body}    return y\n")


def test_strip_rejects_a_region_outside_any_function() -> None:
    with pytest.raises(ValueError, match="not inside a function"):
        strip_solutions("### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n")


@pytest.mark.parametrize("module", sorted(GRADED))
def test_every_graded_function_is_stubbed(module: str) -> None:
    stripped = strip_solutions((SOLUTIONS / module).read_text(encoding="utf-8"))
    compile(stripped, module, "exec")
    for function in GRADED[module]:
        assert f'raise NotImplementedError("{function} is not implemented yet")' in stripped


# ---------------------------------------------------------------------------------------------
# The committed release


def _release_files(folder: Path, names: set[str]) -> dict[str, bytes]:
    """The files of ``folder`` the release owns: those it writes, any of the kinds it manages, and its
    ``locale`` folder (by path relative to ``folder``)."""
    files = {p.name: p.read_bytes() for p in folder.iterdir()
             if p.is_file() and (p.suffix in MANAGED or p.name in names)}
    files.update({p.relative_to(folder).as_posix(): p.read_bytes()
                  for p in (folder / "locale").rglob("*") if p.is_file()})
    return files


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_release_is_in_sync_with_the_solutions(tmp_path: Path, lang: str) -> None:
    target = tmp_path / "backprop"
    written = {p.relative_to(target).as_posix() for p in release(SOLUTIONS, target, lang)}
    fresh = _release_files(target, written)
    assert sorted(written) == sorted(fresh)
    committed = _release_files(RELEASES[lang], written)
    assert sorted(committed) == sorted(fresh), f"run the release again and commit {RELEASES[lang]}"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"out of date: {stale}; run the release again and commit {RELEASES[lang]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gradcheck_and_language_are_the_kits_modules_verbatim(lang: str) -> None:
    core = ROOT / "autograder" / "core"
    assert (RELEASES[lang] / "gradcheck.py").read_bytes() == (core / "numeric.py").read_bytes()
    assert (RELEASES[lang] / "language.py").read_bytes() == (core / "language.py").read_bytes()


def test_release_removes_its_stale_files_and_keeps_others(tmp_path: Path) -> None:
    target = tmp_path / "backprop"
    target.mkdir()
    (target / "test_renamed.py").write_text("old\n")
    (target / "old_cases.json").write_text("{}\n")
    (target / "experiment.ipynb").write_text("{}\n")
    release(SOLUTIONS, target)
    assert not (target / "test_renamed.py").exists()
    assert not (target / "old_cases.json").exists()
    assert (target / "experiment.ipynb").exists()


def test_public_cases_are_deterministic_and_small() -> None:
    text = public_cases(SOLUTIONS)
    assert text == public_cases(SOLUTIONS)
    assert len(text.encode()) < 100_000
    cases = json.loads(text)["cases"]
    assert set(cases) == {function for functions in GRADED.values() for function in functions}
    assert all(2 <= len(function_cases) <= 3 for function_cases in cases.values())


def _array(value: dict) -> np.ndarray:
    return np.array(value["data"], dtype=float).reshape(value["shape"])


def test_public_cases_use_random_upstream_gradients_and_avoid_kinks() -> None:
    cases = json.loads(public_cases(SOLUTIONS))["cases"]
    for function_cases in cases.values():
        for case in function_cases:
            for name in ("dout", "dnext_h", "dh"):
                if name in case["inputs"]:
                    upstream = _array(case["inputs"][name])
                    assert len(np.unique(upstream[upstream != 0])) > 1, (case["name"], name)
    for case in cases["relu_backward"]:
        x = _array(case["inputs"]["x"])
        assert np.all((x == 0) | (np.abs(x) > 1e-3))
    for case in cases["svm_loss"]:
        x, y = _array(case["inputs"]["x"]), np.array(case["inputs"]["y"]["data"])
        margins = x - x[np.arange(len(y)), y][:, None] + 1.0
        margins[np.arange(len(y)), y] = np.inf
        assert np.abs(margins).min() > 1e-3
    for loss in ("huber_loss", "clipped_square_loss"):
        for case in cases[loss]:
            diff = _array(case["inputs"]["pred"]) - _array(case["inputs"]["target"])
            assert np.abs(np.abs(diff) - case["inputs"]["delta"]).min() > 1e-3


def test_requirements_pin_the_project_metadata_at_the_locked_versions() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [d for d in project["dependencies"] if d.startswith("numpy")] + project["optional-dependencies"]["student"]
    locked = locked_versions()
    requirements = (ASSIGNMENT / "requirements.txt").read_text(encoding="utf-8").split()
    assert requirements == [f"{Requirement(w).name}=={locked[Requirement(w).name]}" for w in wanted]
    for line in wanted:  # each pin inside the range pyproject.toml allows
        assert Requirement(line).specifier.contains(locked[Requirement(line).name]), line


def test_public_tests_import_nothing_from_the_kit() -> None:
    # gradcheck and language are the kit's numeric core and language rules, shipped as files of the release.
    allowed = {"numpy", "pytest", "hypothesis", "layers", "rnn_layers", "gradcheck", "language", "conftest"}
    allowed |= set(sys.stdlib_module_names)
    for name in ("conftest.py", "test_layers.py", "test_rnn_layers.py"):
        tree = ast.parse((ASSIGNMENT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert {m.split(".")[0] for m in modules} <= allowed, (name, modules)


# ---------------------------------------------------------------------------------------------
# Leaks


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_release_has_no_leaks(lang: str) -> None:
    assert find_leaks(SOLUTIONS, RELEASES[lang]) == []


def test_solution_lines_come_from_inside_the_regions_only() -> None:
    lines = solution_lines(SOLUTIONS)
    assert "dx = dout * (x > 0)" in lines
    assert "x = cache" not in lines  # given code, before the region
    assert not any(line.startswith("###") or not line for line in lines)


def test_lines_the_skeleton_shows_anyway_are_not_leaks(tmp_path: Path) -> None:
    solutions, assignment = tmp_path / "solutions", tmp_path / "assignment"
    solutions.mkdir()
    assignment.mkdir()
    source = (
        "def f(x):\n"
        "    ### BEGIN SOLUTION\n"
        "    y = g(\n"
        "        x,\n"
        "    )\n"
        "    return y\n"
        "    ### END SOLUTION\n"
        "    return y\n"
    )
    (solutions / "module.py").write_text(source)
    (assignment / "module.py").write_text(strip_solutions(source) + "z = (\n    1,\n)\n")
    assert find_leaks(solutions, assignment) == []
    (assignment / "other.py").write_text("y = g(\n")
    assert find_leaks(solutions, assignment) == [f"{assignment / 'other.py'}:1: y = g("]


def test_a_planted_leak_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "backprop"
    shutil.copytree(ASSIGNMENT, copy)
    layers = copy / "layers.py"
    secret = "dx = dout * (x > 0)"
    layers.write_text(layers.read_text(encoding="utf-8") + f"\n\ndef extra(dout, x):\n    {secret}\n")
    lineno = len(layers.read_text(encoding="utf-8").splitlines())
    notebook = copy / "notebook.ipynb"
    notebook.write_text(json.dumps({"cells": [{"source": ["x = 1\n", f"    {secret}\n"]}]}, indent=1))
    (copy / "NOTES.md").write_text("### BEGIN SOLUTION\n")
    leaks = find_leaks(SOLUTIONS, copy)
    assert f"{layers}:{lineno}: {secret}" in leaks
    assert any(leak.startswith(f"{notebook}:") for leak in leaks)
    assert any(leak.startswith(f"{copy / 'NOTES.md'}:") and "BEGIN SOLUTION" in leak for leak in leaks)
    assert len(leaks) == 3


# ---------------------------------------------------------------------------------------------
# The public tests, run as a student would


RUN_LIMIT = 60  # seconds: a run of the public tests that takes longer counts as hung


def _run_public_tests(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``pytest`` in ``folder`` as a student runs it; fails the test if the run does not finish."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    try:
        return subprocess.run(
            [sys.executable, "-m", "pytest", *options],
            cwd=folder, env=env, capture_output=True, text=True, timeout=RUN_LIMIT,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"the public tests did not finish within {RUN_LIMIT} s:\n{hung.stdout!r:.2000}")


def _summary(output: str) -> dict[str, int]:
    """The counts of pytest's last line, such as ``{"failed": 1, "passed": 40, "skipped": 3}``."""
    last = output.strip().splitlines()[-1]
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", last.split(" in ")[0])}


def _lines_with(output: str, text: str) -> list[str]:
    return [line for line in output.splitlines() if text in line]


@pytest.fixture
def student_copy(tmp_path: Path) -> Path:
    """A fresh copy of the committed release, as a student receives it."""
    copy = tmp_path / "backprop"
    shutil.copytree(ASSIGNMENT, copy, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    return copy


def _with_reference(folder: Path, replace: tuple[str, str] | None = None, module: str = "layers.py") -> Path:
    """Put the reference modules into ``folder``, optionally with one line of ``module`` changed."""
    for name in GRADED:
        shutil.copyfile(SOLUTIONS / name, folder / name)
    if replace is not None:
        path = folder / module
        text = path.read_text(encoding="utf-8")
        assert replace[0] in text
        path.write_text(text.replace(replace[0], replace[1]), encoding="utf-8")
    return folder


@pytest.mark.e2e  # the public tests run as a student runs them
def test_the_untouched_skeleton_reports_short_todo_lines(student_copy: Path) -> None:
    result = _run_public_tests(student_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    for module, functions in GRADED.items():
        for function in functions:
            # One line per function: not once as a failure and again in the list at the end.
            assert len(_lines_with(output, f"{function} is not implemented yet — write it in {module}")) == 1, output
    assert "Traceback" not in output
    assert "raise NotImplementedError" not in output
    assert not [line for line in output.splitlines() if line.startswith("E ")]


@pytest.mark.e2e  # the public tests run as a student runs them
def test_the_reference_passes_the_public_tests(student_copy: Path) -> None:
    result = _run_public_tests(_with_reference(student_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    counts = _summary(result.stdout)
    assert set(counts) == {"passed"} and counts["passed"] > 50, result.stdout  # every public test ran and passed


@pytest.mark.e2e  # the public tests run as a student runs them
@pytest.mark.parametrize(
    ("bug", "expected"),
    [
        (
            ("dx = (dout @ w.T).reshape(x.shape)", "dx = (dout @ w).reshape(x.shape)"),
            ["affine_backward, case 'square_weights': dx[", "forgot to transpose w"],
        ),
        (
            ("dx = dout * z * (1.0 - z)", "s = 1.0 / (1.0 + np.exp(-z))\n    dx = dout * s * (1.0 - s)"),
            ["sigmoid_backward, case 'reference': dx[", "applied the sigmoid to the cache again"],
        ),
    ],
    ids=["affine_missing_transpose", "sigmoid_derivative_of_the_wrong_variable"],
)
def test_a_realistic_bug_is_named_with_gradient_and_index(
    student_copy: Path, bug: tuple[str, str], expected: list[str]
) -> None:
    result = _run_public_tests(_with_reference(student_copy, bug))
    assert result.returncode == 1
    for text in expected:
        assert text in result.stdout, result.stdout


def _with_corpus_entry(folder: Path, name: str) -> Path:
    """Put the reference modules into ``folder``, with the functions of the buggy corpus entry ``name``."""
    entry = CORPUS / "buggy" / f"{name}.py"
    for module in GRADED:
        source = reference_source(module.removesuffix(".py"))
        if f"{corpus_entry(entry)['TARGET']}.py" == module:
            source += "\n\n" + entry.read_text(encoding="utf-8")
        (folder / module).write_text(source + "\n", encoding="utf-8")
    return folder


# What the public tests say about real mistakes (the grader's own corpus entries): each line must appear.
NAMED_IN_THE_PUBLIC_TESTS = {
    "affine_dx_no_transpose_crash": [
        "affine_backward raised ValueError: matmul: Input operand 1 has a mismatch",
        "(layers.py, line ",
        "it looks like the transpose of w is missing in dx",
    ],
    "affine_dw_no_transpose": ["affine_backward raised ValueError: matmul:", "a transpose is missing in dw"],
    "rnn_step_dx_without_transpose": [
        "rnn_step_backward raised ValueError: matmul:",
        "the transpose of Wx is missing in dx",
    ],
    "relu_dout_alias": ["relu_backward modified dout in place. dx = dout does not copy"],
    "rnn_cache_pop": ["rnn_backward took items out of cache: it had 3, it has 0 left. It looks like cache.pop()"],
    "softmax_unstable_loss": ["softmax_loss, case 'large_scores': loss: expected", "exp of large scores overflows"],
    "softmax_batch_max": ["x - x.max() shifts every row by the largest score of the whole batch"],
    "softmax_log_of_probs": ["loss: expected 666.834, got inf", "-log(0) is inf"],
    "softmax_loss_per_example": [
        "softmax_loss, case 'reference': loss should be one float, but it is an array of shape (5,)",
        "it looks like you forgot the mean",
    ],
    "svm_loss_margins_matrix": ["its sum divided by 3 is the expected loss"],
    "huber_delta_ignored": ["it looks like you clipped to [-1, 1] whatever delta is; clip to [-delta, delta]"],
}


@pytest.mark.e2e  # the public tests run as a student runs them
@pytest.mark.parametrize("name", sorted(NAMED_IN_THE_PUBLIC_TESTS))
def test_the_public_tests_name_real_mistakes_in_one_line_each(student_copy: Path, name: str) -> None:
    result = _run_public_tests(_with_corpus_entry(student_copy, name))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for text in NAMED_IN_THE_PUBLIC_TESTS[name]:
        assert text in output, output
    assert "Traceback" not in output and not _lines_with(output, "E   "), output
    assert "times the expected value everywhere" not in output, output
    crashes = _lines_with(output, " raised ")
    assert len(crashes) <= 1, output  # a crash is shown once; the later tests that stop on its line are skipped


@pytest.mark.e2e  # the public tests run as a student runs them
def test_a_function_that_never_returns_fails_its_test_and_the_others_run(student_copy: Path) -> None:
    folder = _with_reference(student_copy, ("dx = dout * (x > 0)", "while True:\n        pass"))
    result = _run_public_tests(folder, "-o", "time_limit=5")  # 2 s stopped slow honest tests on a loaded machine
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    stopped = _lines_with(output, "did not finish within 5 seconds")
    assert len(stopped) == 1, output  # the loop is waited for once; relu_backward's other tests are skipped
    assert stopped[0].startswith("relu_backward did not finish within 5 seconds"), output
    assert "layers.py" in stopped[0], output
    counts = _summary(result.stdout)
    assert counts["failed"] == 1 and counts["passed"] > 40, output  # every other function's tests ran and passed
    assert "Traceback" not in output and "Timeout" not in output


@pytest.mark.e2e  # the public tests run as a student runs them
def test_a_syntax_error_is_one_line_and_the_other_file_still_runs(student_copy: Path) -> None:
    folder = _with_reference(student_copy, ("dx = dout * (x > 0)", "dx = dout * (x > 0"))
    lineno = next(i for i, line in enumerate((folder / "layers.py").read_text().splitlines(), 1) if "(x > 0" in line
                  and "dx = dout" in line)
    result = _run_public_tests(folder)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "error during collection" not in output and "ERROR collecting" not in output, output
    assert "Traceback" not in output and not _lines_with(output, "E   "), output
    reported = _lines_with(output, "could not be imported")
    assert len(reported) == 1, output  # once for the module, not once per test
    assert reported[0].startswith("layers.py could not be imported"), output
    assert f"layers.py, line {lineno}" in reported[0] and "never closed" in reported[0], output
    counts = _summary(result.stdout)
    assert counts["failed"] == 1, output
    rnn = _run_public_tests(_with_reference(student_copy), "test_rnn_layers.py")
    assert counts["passed"] == _summary(rnn.stdout)["passed"], output  # all of rnn_layers' tests ran and passed


@pytest.mark.e2e  # the public tests run as a student runs them
def test_without_sigalrm_the_tests_run_without_a_limit_and_say_so(student_copy: Path) -> None:
    folder = _with_reference(student_copy)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    # As on Windows: no signal.setitimer.
    program = "import signal, sys, pytest; del signal.setitimer; sys.exit(pytest.main())"
    result = subprocess.run([sys.executable, "-c", program], cwd=folder, env=env, capture_output=True, text=True,
                            timeout=RUN_LIMIT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(_lines_with(result.stdout, "no time limit per test")) == 1, result.stdout
    assert set(_summary(result.stdout)) == {"passed"}, result.stdout


@pytest.mark.e2e
def test_the_students_set_up_commands_work_as_written(tmp_path: Path) -> None:
    """The released README's set-up, run as written (first the venv, then its pytest) in a copy of the
    release holding the reference modules: a student on a current Linux ends with a passing run."""
    folder = tmp_path / "backprop"
    shutil.copytree(ASSIGNMENT, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".venv"))
    for module in ("layers", "rnn_layers"):
        (folder / f"{module}.py").write_text(reference_source(module) + "\n")
    readme = (folder / "README.md").read_text()
    section = readme.split("## Set up and check your work", 1)[1].split("\n## ", 1)[0]
    commands = [line for block in re.findall(r"```\n(.*?)```", section, flags=re.S) for line in block.splitlines()]
    assert commands[0].startswith("python3 -m venv") and commands[-1] == ".venv/bin/pytest"
    for command in commands:
        words = shlex.split(command)
        words[0] = sys.executable if words[0] == "python3" else words[0]
        done = subprocess.run(words, cwd=folder, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert " passed" in done.stdout and "failed" not in done.stdout


# A student has the release and numpy, pytest and hypothesis: nothing of the kit. This interpreter has the
# kit installed, so the run below hides it, as a student's machine would not have it.
_WITHOUT_THE_KIT = ("import sys; sys.modules['autograder'] = None; import pytest; "
                    "raise SystemExit(pytest.main(['-q', '-p', 'no:cacheprovider']))")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_release_runs_where_the_kit_is_not_installed(tmp_path: Path, lang: str) -> None:
    folder = tmp_path / "release"
    shutil.copytree(RELEASES[lang], folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".hypothesis"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    done = subprocess.run([sys.executable, "-c", _WITHOUT_THE_KIT], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)
    said = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, said  # the stubs fail; nothing fails to import
    assert "ModuleNotFoundError" not in said and "autograder" not in said, said
