"""Plain-data wire format between the grader and the process that runs student code.

A message is a tree of dicts, lists, strings, numbers, booleans, None and numpy arrays. It is
stored as one ``.npz`` file: the arrays as entries, the tree as JSON. Reading never unpickles
(``allow_pickle=False``), refuses object arrays and files above a size cap, so a reply can carry
nothing but numbers and text.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

MAX_BYTES = 64 * 1024 * 1024
_ARRAY = "__array__"
_NUMERIC_KINDS = "biuf"


class WireError(ValueError):
    """A message that is not plain data, or is too large."""


def _encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {_ARRAY: key}
    if isinstance(value, dict):
        return {str(k): _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise WireError(f"cannot send a {type(value).__name__}")


def write(path: Path, message: Any) -> None:
    """Write ``message`` to ``path`` atomically (a reader never sees half a file)."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(message, arrays)
    structure = np.frombuffer(json.dumps(tree).encode(), dtype=np.uint8)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        np.savez(handle, __structure__=structure, **arrays)
    os.replace(partial, path)


def _decode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            return arrays[value[_ARRAY]]
        return {k: _decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    return value


def read(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Read a message written by ``write``; raise WireError if it is oversized or not plain data."""
    size = path.stat().st_size
    if size > max_bytes:
        raise WireError(f"reply of {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {}
            for key in archive.files:
                array = archive[key]
                if array.dtype.kind not in _NUMERIC_KINDS:
                    raise WireError(f"entry {key} has dtype {array.dtype}, not numbers")
                arrays[key] = array
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise WireError(f"unreadable reply: {error}") from error
    structure = arrays.pop("__structure__", None)
    if structure is None:
        raise WireError("reply has no structure entry")
    try:
        return _decode(json.loads(structure.tobytes()), arrays)
    except (ValueError, KeyError) as error:
        raise WireError(f"malformed reply: {error}") from error
