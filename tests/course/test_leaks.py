"""The leak check against attacks: a solution line planted anywhere in the release is found and named.

Each attack plants a solution line, in one of the ways it could get out, into a copy of the committed
release and asserts that ``find_leaks`` reports the file and the line it is on. The honest release
must stay clean, and the release itself must fail when a planted line would be released.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.core.language import LANGUAGES
from autograder.course.release import find_leaks, release_course, release_dir, solution_lines, strip_solutions

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "backprop"
ASSIGNMENT = ROOT / "assignment" / "backprop"
SECRET = "dx = dout * (x > 0)"  # relu_backward's whole solution
OTHER = "dw = x_rows.T @ dout"  # one line of affine_backward's


@pytest.fixture(params=LANGUAGES)
def copy(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A fresh copy of a committed release: every attack is tried on the release in every language."""
    target = tmp_path / "backprop"
    shutil.copytree(release_dir(ASSIGNMENT, request.param), target, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return target


def _line_of(path: Path, fragment: str) -> int:
    """The number of the one line of ``path`` that holds ``fragment``."""
    numbers = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line]
    assert len(numbers) == 1, (path, fragment, numbers)
    return numbers[0]


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``; return the line ``new`` starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _reported(leaks: list[str], path: Path, lineno: int, secret: str = SECRET) -> bool:
    return any(leak.startswith(f"{path}:{lineno}: ") and secret in leak for leak in leaks)


def _notebook_with(copy: Path, *cells: dict) -> Path:
    """The released dying-ReLU notebook with ``cells`` appended, written as nbformat writes it."""
    path = copy / "2_dying_relus.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"].extend(cells)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_the_secrets_of_these_attacks_are_solution_lines() -> None:
    assert {SECRET, OTHER} <= solution_lines(SOLUTIONS)


# ---------------------------------------------------------------------------------------------
# In the student modules


def _relu_hint(layers: Path) -> str:
    """relu_backward's hint line, in the release's language: the comment that names ``(x > 0)``."""
    return next(line.strip() for line in layers.read_text(encoding="utf-8").splitlines()
                if line.strip().startswith("#") and "(x > 0)" in line)


def test_a_hint_comment_holding_a_solution_line(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, _relu_hint(layers), f"# hint: {SECRET} # the unit fired")
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno)


def test_a_solution_line_as_code_outside_the_region(copy: Path) -> None:
    layers = copy / "layers.py"
    layers.write_text(layers.read_text(encoding="utf-8") + f"\n\ndef helper(dout, x):\n    {SECRET}\n    return dx\n")
    assert _reported(find_leaks(SOLUTIONS, copy), layers, _line_of(layers, SECRET))


def test_a_solution_line_with_other_whitespace(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x = cache\n", "    x = cache\n    dx=dout*( x>0 )\n") + 1
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno)


def test_a_solution_line_as_a_trailing_comment_after_given_code(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x = cache\n", f"    x = cache  # then {SECRET}\n")
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno)


def test_a_solution_line_after_other_code_on_the_same_line(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x, w, b = cache\n", f"    x, w, b = cache; {OTHER}\n")
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno, OTHER)


def test_a_solution_line_inside_a_string_or_docstring(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x = cache\n", f"    x = cache\n    '''Like this: {OTHER}.'''\n") + 1
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno, OTHER)


def test_a_solution_line_split_over_two_lines(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x = cache\n", "    x = cache\n    dx = dout * (\n        x > 0)\n") + 1
    assert _reported(find_leaks(SOLUTIONS, copy), layers, lineno)


def test_a_solution_line_in_a_public_test(copy: Path) -> None:
    tests = copy / "test_layers.py"
    tests.write_text(tests.read_text(encoding="utf-8") + f"\n# expected: {OTHER}\n")
    assert _reported(find_leaks(SOLUTIONS, copy), tests, _line_of(tests, OTHER), OTHER)


# ---------------------------------------------------------------------------------------------
# In the notebooks


def test_a_solution_line_in_a_notebook_code_cell(copy: Path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["x = np.ones(3)\n", f"{SECRET}  # done\n"]}
    notebook = _notebook_with(copy, cell)
    assert _reported(find_leaks(SOLUTIONS, copy), notebook, _line_of(notebook, "  # done"))


def test_a_solution_line_in_a_notebook_cell_whose_source_is_one_string(copy: Path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": f"x = np.ones(3)\n{SECRET}\nprint(dx)"}
    notebook = _notebook_with(copy, cell)
    assert _reported(find_leaks(SOLUTIONS, copy), notebook, _line_of(notebook, "print(dx)"))


def test_a_solution_line_in_a_notebook_markdown_cell(copy: Path) -> None:
    cell = {"cell_type": "markdown", "metadata": {}, "source": [f"Hint: it is just `{SECRET}`, nothing more.\n"]}
    notebook = _notebook_with(copy, cell)
    assert _reported(find_leaks(SOLUTIONS, copy), notebook, _line_of(notebook, "nothing more"))


def test_a_solution_line_in_a_notebook_output(copy: Path) -> None:
    stream = {"output_type": "stream", "name": "stdout", "text": [f">>> {OTHER}\n"]}
    html = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"text/html": ["<pre>dx = dout * (x &gt; 0)</pre>"], "text/plain": ["'ok'"]}}
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["print('ok')"],
            "outputs": [stream, html]}
    notebook = _notebook_with(copy, cell)
    leaks = find_leaks(SOLUTIONS, copy)
    assert _reported(leaks, notebook, _line_of(notebook, ">>> "), OTHER)
    assert _reported(leaks, notebook, _line_of(notebook, "<pre>"))


def test_a_solution_line_escaped_twice_in_a_notebook(copy: Path) -> None:
    # A cell that prints JSON: the solution line is a JSON string inside a notebook's JSON string.
    stream = {"output_type": "stream", "name": "stdout", "text": [json.dumps({"code": f'"{SECRET}"'}) + "\n"]}
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["show()"], "outputs": [stream]}
    notebook = _notebook_with(copy, cell)
    assert _reported(find_leaks(SOLUTIONS, copy), notebook, _line_of(notebook, '"{\\"code'))


# ---------------------------------------------------------------------------------------------
# In data files


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("hints.json", json.dumps({"relu_backward": SECRET, "affine": [OTHER]}, indent=2), '"relu_backward"'),
        ("hints_compact.json", json.dumps({"relu_backward": f"x = cache\n{SECRET}\n"}), "relu_backward"),
        ("notes.txt", f"Some notes.\n\nThe answer:   {SECRET}\n", "The answer"),
        ("table.csv", f'function,code\nrelu_backward,"{SECRET}"\n', "relu_backward,"),
        ("notes.md", f"# Notes\n\n```python\n{SECRET}\n```\n", "dx ="),
        ("data", f"\t{SECRET}\r\n", "dx ="),  # no suffix, Windows line ends
    ],
)
def test_a_solution_line_in_a_data_file(copy: Path, name: str, text: str, fragment: str) -> None:
    path = copy / name
    path.write_bytes(text.encode("utf-8"))
    assert _reported(find_leaks(SOLUTIONS, copy), path, _line_of(path, fragment))


def test_a_solution_line_in_a_subfolder(copy: Path) -> None:
    path = copy / "data" / "extra.txt"
    path.parent.mkdir()
    path.write_text(f"{OTHER}\n", encoding="utf-8")
    assert _reported(find_leaks(SOLUTIONS, copy), path, 1, OTHER)


def test_a_leak_names_the_file_the_line_and_the_solution_line(copy: Path) -> None:
    layers = copy / "layers.py"
    lineno = _replace(layers, "    x = cache\n", f"    x = cache  # {SECRET}\n")
    leaks = find_leaks(SOLUTIONS, copy)
    assert len(leaks) == 1
    assert leaks[0].startswith(f"{layers}:{lineno}: {SECRET}")
    assert f"x = cache  # {SECRET}" in leaks[0]  # and the released line it was found in


# ---------------------------------------------------------------------------------------------
# No false alarms


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_release_has_no_leak(lang: str) -> None:
    assert find_leaks(SOLUTIONS, release_dir(ASSIGNMENT, lang)) == []


def test_given_and_trivial_lines_are_no_leak(copy: Path) -> None:
    # Lines the skeleton shows anyway, in a comment, in a notebook or a data file; trivial lines.
    layers = copy / "layers.py"
    layers.write_text(layers.read_text(encoding="utf-8") + "\n# x = cache\n# return dx\n# )\n")
    (copy / "notes.txt").write_text("return dx, dw, db\nx, w, b = cache\ndx\n}\n", encoding="utf-8")
    _notebook_with(copy, {"cell_type": "markdown", "metadata": {}, "source": ["`return dx` and `x = cache`\n"]})
    assert find_leaks(SOLUTIONS, copy) == []


def _course(tmp_path: Path, source: str, released: str) -> tuple[Path, Path]:
    """A one-module course: ``source`` as its solution, ``released`` as its release."""
    solutions, assignment = tmp_path / "solutions", tmp_path / "assignment"
    solutions.mkdir()
    assignment.mkdir()
    (solutions / "module.py").write_text(source)
    (assignment / "module.py").write_text(released)
    return solutions, assignment


def test_a_solution_line_the_function_shows_anyway_is_no_leak(tmp_path: Path) -> None:
    # A region line its own function also shows as code outside the region gives nothing away.
    source = (
        "def f(x):\n"
        "    y = x.sum(axis=0)\n"
        "    ### BEGIN SOLUTION\n"
        "    y = x.sum(axis=0)  # again\n"
        "    z = np.where(x > 0, x, 0.5 * x)\n"
        "    ### END SOLUTION\n"
        "    return y\n"
    )
    solutions, assignment = _course(tmp_path, source, strip_solutions(source))
    (assignment / "notes.txt").write_text("y = x.sum(axis=0)\n")
    assert find_leaks(solutions, assignment) == []
    (assignment / "notes.txt").write_text("z = np.where(x>0, x, 0.5*x)\n")
    assert find_leaks(solutions, assignment) == [
        f"{assignment / 'notes.txt'}:1: z = np.where(x > 0, x, 0.5 * x) (in: z = np.where(x>0, x, 0.5*x))"
    ]


def test_a_solution_line_shown_as_code_in_another_function_is_a_leak(tmp_path: Path) -> None:
    source = (
        "def helper(x):\n"
        "    return np.where(x > 0, x, 0.5 * x)\n"
        "\n"
        "\n"
        "def f(x):\n"
        "    ### BEGIN SOLUTION\n"
        "    return np.where(x > 0, x, 0.5 * x)\n"
        "    ### END SOLUTION\n"
    )
    solutions, assignment = _course(tmp_path, source, strip_solutions(source))
    assert find_leaks(solutions, assignment) == [f"{assignment / 'module.py'}:2: return np.where(x > 0, x, 0.5 * x)"]


def test_other_quoting_of_a_string_in_a_solution_line(tmp_path: Path) -> None:
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return np.pad(x, 1, mode='reflect')\n    ### END SOLUTION\n"
    solutions, assignment = _course(tmp_path, source, 'def f(x):\n    return np.pad(x, 1, mode = "reflect")\n')
    leaks = find_leaks(solutions, assignment)
    assert len(leaks) == 1 and leaks[0].startswith(f"{assignment / 'module.py'}:2: ")


# ---------------------------------------------------------------------------------------------
# The release fails on a leak


def _solutions_copy(tmp_path: Path, notebooks: bool) -> Path:
    target = tmp_path / "solutions" / "backprop"
    ignore = ["__pycache__", ".*"] + ([] if notebooks else ["*.ipynb"])
    shutil.copytree(SOLUTIONS, target, ignore=shutil.ignore_patterns(*ignore))
    return target


def test_the_release_fails_on_a_hint_that_gives_the_solution_away(tmp_path: Path) -> None:
    # Without notebooks, release_course is the kit's release and the leak check, no nbgrader.
    solutions = _solutions_copy(tmp_path, notebooks=False)
    lineno = _replace(solutions / "layers.py", "# Hint: the gradient passes where the unit fired",
                      f"# Hint: {SECRET} (the gradient passes where the unit fired")
    assignment = tmp_path / "assignment" / "backprop"
    with pytest.raises(RuntimeError, match="solution lines found in the release") as raised:
        release_course(solutions, assignment)
    released = assignment / "layers.py"
    assert _line_of(released, "# Hint: dx") < lineno  # the region above it was stripped
    assert f"{released}:{_line_of(released, '# Hint: dx')}: {SECRET}" in str(raised.value)


def test_the_release_fails_on_a_solution_line_outside_its_region(tmp_path: Path) -> None:
    solutions = _solutions_copy(tmp_path, notebooks=False)
    layers = solutions / "layers.py"
    helper = f"\n\ndef _relu_grad(dout, x):\n    {SECRET}\n    return dx\n"
    layers.write_text(layers.read_text(encoding="utf-8") + helper)
    assignment = tmp_path / "assignment" / "backprop"
    with pytest.raises(RuntimeError, match="solution lines found in the release") as raised:
        release_course(solutions, assignment)
    released = assignment / "layers.py"
    assert str(raised.value).count("\n  ") == 1
    assert f"{released}:{_line_of(released, SECRET)}: {SECRET}" in str(raised.value)


def test_the_release_command_fails_on_a_leak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from autograder.cli import main

    solutions = _solutions_copy(tmp_path, notebooks=False)
    _replace(solutions / "layers.py", "    x = cache\n", f"    x = cache  # {SECRET}\n")
    assignment = tmp_path / "assignment" / "backprop"
    assert main(["release", "--reference", str(solutions), "--out", str(assignment)]) == 1
    captured = capsys.readouterr()
    assert "no solution line leaked" not in captured.out
    assert f"{assignment / 'layers.py'}:" in captured.err and SECRET in captured.err


@pytest.mark.e2e  # real nbgrader generate_assignment
def test_the_notebook_release_fails_on_a_leak_in_a_notebook_or_a_data_file(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader")
    shutil.copyfile(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    solutions = _solutions_copy(tmp_path, notebooks=True)
    # nbgrader copies it verbatim, and the release keeps it (it removes only the kinds it writes)
    (solutions / "hints.md").write_text(f"relu: {SECRET}\n", encoding="utf-8")
    notebook = json.loads((solutions / "2_dying_relus.ipynb").read_text(encoding="utf-8"))
    notebook["cells"][0]["source"].append(f"\nIn short: `{OTHER}`.\n")  # a markdown cell students see
    (solutions / "2_dying_relus.ipynb").write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    assignment = tmp_path / "assignment" / "backprop"
    with pytest.raises(RuntimeError, match="solution lines found in the release") as raised:
        release_course(solutions, assignment)
    message = str(raised.value)
    assert f"{assignment / 'hints.md'}:1: {SECRET}" in message
    released = assignment / "2_dying_relus.ipynb"
    assert f"{released}:{_line_of(released, 'In short')}: {OTHER}" in message
