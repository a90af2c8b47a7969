"""Importing a module from a file: the one loader behind the reference, the mistake catalogue, the
course's ``nbcheck`` and (in the sandboxed child, never in the grader) the student's modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_module(path: Path, name: str, register: bool = False) -> ModuleType:
    """Run the module at ``path`` under ``name`` and return it.

    ``register`` puts it in ``sys.modules`` before it runs, so that it can be imported by that name
    while it runs and afterwards (a student's rnn_layers.py doing ``from layers import ...``, or
    dataclasses and pickling that look a module up by name). Raises ImportError if ``path`` cannot be
    imported as a module, and whatever the module raises.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path} as a module")
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
