"""Messages in the wire format written byte by byte, so that a test can make every field lie
(``autograder.sandbox.wire`` only writes true ones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from autograder.sandbox import wire


def record(offset: int, dtype: str | int, shape: tuple[int, ...]) -> np.ndarray:
    """One table record; ``dtype`` a name of ``wire.DTYPES`` or a raw code."""
    code = dtype if isinstance(dtype, int) else wire.DTYPES.index(np.dtype(dtype))
    row = np.zeros(1, dtype=wire.RECORD)
    row["offset"], row["dtype"], row["ndim"] = offset, code, len(shape)
    row["shape"][0, :len(shape)] = shape[:wire.MAX_NDIM]
    return row


def forge(path: Path, tree: Any = None, records: list[np.ndarray] | None = None, data: bytes = b"", *,
          structure: bytes | None = None, arrays: int | None = None, magic: bytes = wire.MAGIC,
          version: int = wire.VERSION) -> Path:
    """Write a message of ``records`` over ``data`` with ``tree`` (or the raw ``structure``); the prefix's
    counts default to the true ones, ``arrays`` and ``magic``/``version`` make it lie."""
    records = records or []
    text = structure if structure is not None else json.dumps(tree).encode()
    table = np.concatenate(records).tobytes() if records else b""
    count = len(records) if arrays is None else arrays
    head = wire.PREFIX.pack(magic, version, count, len(text)) + table + text
    path.write_bytes(head + bytes(-len(head) % wire.ALIGN) + data)
    return path
