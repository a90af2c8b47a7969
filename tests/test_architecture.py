"""The layers of the package: each subpackage imports only those below it, and the core only numpy.

    core < sandbox < grading < outputs < course < integrations < cli

A module that reaches up (the sandbox importing a report, the core importing the grader) is what
makes a codebase impossible to read one layer at a time; this test names the import that does.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
LAYERS = ("core", "sandbox", "grading", "outputs", "course", "integrations", "cli")
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "examples" not in path.parts)


def _layer(module: str) -> int | None:
    """Layer index of a dotted ``autograder...`` module name; None for the package root itself."""
    parts = module.split(".")
    if parts[0] != "autograder" or len(parts) == 1:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path``, at module level or inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if node.module == "autograder" or node.module.startswith("autograder.")]
    return found


def _name(path: Path) -> str:
    return ".".join(("autograder", *path.relative_to(PACKAGE).with_suffix("").parts))


def test_every_module_belongs_to_a_layer() -> None:
    loose = [_name(path) for path in MODULES if _layer(_name(path)) is None
             and path.name not in ("__init__.py", "__main__.py")]
    assert not loose, f"modules outside the layers {LAYERS}: {loose}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_go_down_never_up(path: Path) -> None:
    own = _layer(_name(path))
    if own is None:
        return
    upward = [f"line {line}: {module}" for line, module in _imports(path)
              if (other := _layer(module)) is not None and other > own]
    assert not upward, f"{_name(path)} ({LAYERS[own]}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda path: path.name)
def test_the_core_needs_only_numpy(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"numpy", "autograder"}
    foreign = [f"line {line}: {module}" for line, module in _imports(path) if module.split(".")[0] not in allowed]
    assert not foreign, f"the core imports more than numpy and the standard library: {foreign}"


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The test itself can fail: a core module importing the grader is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from autograder.grading.grade import grade\n")
    assert [module for _, module in _imports(bad) if _layer(module) == LAYERS.index("grading")]
