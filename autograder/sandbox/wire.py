"""Plain-data wire format between the grader and the processes that run student code.

A message is a tree of dicts, lists, strings, numbers, booleans, None and numpy arrays of numbers.
It is stored as one file, in both directions (the grader's request, a child's reply)::

    prefix  MAGIC, the format's version, how many arrays, how many bytes of structure (24 bytes)
    table   one fixed-size record per array: where its data starts, its dtype, its shape
    tree    the structure, as JSON, each array in it as {"__array__": its number in the table}
    data    the arrays' bytes, each at a multiple of ALIGN, in table order

So hundreds of arrays cost one read and one vectorised look at a table, not a zip entry and a
parsed header each. The reader trusts nothing in the file: it never follows a symlink or opens
anything but a regular file, refuses files above a size cap, dtypes other than a few numeric ones
(no objects, no pickles), records whose data lies outside the file or overlaps another's, shapes
beyond MAX_NDIM, and a tree that names an array twice: so the arrays a message decodes to hold no
more bytes than its file, however their reader copies them. The JSON is parsed by the standard
library's C parser alone (arrays are put in place by its ``object_hook``, with no Python walk of the
tree). So a reply carries nothing but numbers and text, and reading one cannot hang, exhaust memory
or crash the grader.

A reader that knows what it asked for passes ``Bounds``: a message with more arrays or a larger
structure than the request can need is refused from its first 24 bytes, before a record or a byte
of JSON is read, so refusing costs the same however much the writer put in the file.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from autograder.core.files import replaced_atomically

MAX_BYTES = 64 * 1024 * 1024
MAX_ARRAYS = 100_000
MAX_NDIM = 8  # a reply's deepest array, a perturbed output: (indices, 2, N, T, H)
ALIGN = 64  # each array's data starts on a cache line: any dtype's alignment
MAGIC = b"BPKW"
VERSION = 1
PREFIX = struct.Struct("<4sIQQ")  # MAGIC, VERSION, arrays, bytes of structure
# The dtypes a message may hold, by their number in the table; little-endian, as every machine the kit runs on.
DTYPES = tuple(np.dtype(name) for name in ("<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "i1",
                                           "<u8", "<u4", "<u2", "u1", "?"))
_CODES = {dtype: code for code, dtype in enumerate(DTYPES)}
RECORD = np.dtype([("offset", "<u8"), ("dtype", "u1"), ("ndim", "u1"), ("unused", "V6"),
                   ("shape", "<u8", (MAX_NDIM,))])
_ARRAY = "__array__"


class WireError(ValueError):
    """A message that is not plain data, or is too large."""


@dataclass(frozen=True)
class Bounds:
    """The most one message may hold: arrays, and bytes of structure (its JSON)."""

    arrays: int = MAX_ARRAYS
    structure_bytes: int = MAX_BYTES


def megabytes(size: float) -> str:
    """A size for people: ``"103.0 MB"`` (MB of 2**20 bytes), whole numbers without decimals."""
    value = size / 2**20
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def _encode(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {_ARRAY: len(arrays) - 1}
    if isinstance(value, dict):
        return {str(k): _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise WireError(f"cannot send a {type(value).__name__}")


def payload_bytes(message: Any) -> int:
    """About how many bytes ``write`` would need for ``message`` (its arrays dominate)."""
    if isinstance(message, np.ndarray):
        return message.nbytes
    if isinstance(message, dict):
        return sum(payload_bytes(v) for v in message.values())
    if isinstance(message, list | tuple):
        return sum(payload_bytes(v) for v in message)
    return 16


def _aligned(size: int) -> int:
    return size + -size % ALIGN


def _sent_dtype(array: np.ndarray) -> np.dtype:
    """The dtype ``array`` is sent as: its own, little-endian."""
    return array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype


def unsendable(message: Any) -> str:
    """Why ``write`` would refuse ``message``, for its writer to fail one part of it instead of all: "" if
    it would not. Only an array can be refused (a dtype not in DTYPES, more than MAX_NDIM dimensions)."""
    if isinstance(message, np.ndarray):
        if _sent_dtype(message) not in _CODES:
            return f"an array of dtype {message.dtype}"
        return f"an array of {message.ndim} dimensions (at most {MAX_NDIM})" if message.ndim > MAX_NDIM else ""
    values = message.values() if isinstance(message, dict) else message if isinstance(message, list | tuple) else ()
    return next((why for why in map(unsendable, values) if why), "")


def _plain(array: np.ndarray) -> np.ndarray:
    """``array`` as one of DTYPES, contiguous; a big-endian array is sent little-endian."""
    why = unsendable(array)
    if why:
        raise WireError(f"cannot send {why}")
    return np.asarray(array, dtype=_sent_dtype(array), order="C")  # not ascontiguousarray: a 0-d array stays 0-d


def write(path: Path, message: Any) -> None:
    """Write ``message`` to ``path`` atomically (a reader never sees half a file)."""
    found: list[np.ndarray] = []
    # UTF-8, a third of \uXXXX's bytes; a lone surrogate (student text may hold one) has no UTF-8, and is
    # written as JSON's own escape of it, which backslashreplace spells the same way.
    tree = json.dumps(_encode(message, found), ensure_ascii=False).encode("utf-8", "backslashreplace")
    arrays = [_plain(array) for array in found]
    table = np.zeros(len(arrays), dtype=RECORD)
    offset = 0
    for number, array in enumerate(arrays):
        table["offset"][number], table["dtype"][number], table["ndim"][number] = offset, _CODES[array.dtype], array.ndim
        table["shape"][number, :array.ndim] = array.shape
        offset = _aligned(offset + array.nbytes)
    head = PREFIX.pack(MAGIC, VERSION, len(arrays), len(tree)) + table.tobytes() + tree
    with replaced_atomically(path, mode=None) as handle:  # the child may not chmod (``syscalls``)
        handle.write(head + bytes(_aligned(len(head)) - len(head)))
        for array in arrays:
            handle.write(array.reshape(-1).view(np.uint8).data)
            handle.write(bytes(-array.nbytes % ALIGN))


def _open(path: Path, max_bytes: int) -> tuple[io.BufferedReader, int]:
    """``path`` opened for reading, and its size: a regular file only (no symlink, FIFO or device) of at
    most ``max_bytes``."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise WireError(f"unreadable reply: {error.strerror}") from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise WireError("the reply is not a regular file")
    if info.st_size > max_bytes:
        os.close(handle)
        raise WireError(f"reply of {megabytes(info.st_size)} is over the {megabytes(max_bytes)} limit")
    return os.fdopen(handle, "rb"), info.st_size


def _prefix(file: IO[bytes], bounds: Bounds) -> tuple[int, int]:
    """How many arrays and bytes of structure the file says it holds, refused if more than ``bounds``."""
    prefix = file.read(PREFIX.size)
    if len(prefix) < PREFIX.size or prefix[:len(MAGIC)] != MAGIC:
        raise WireError("unreadable reply: it is not a message the grader's children write")
    _, version, arrays, structure = PREFIX.unpack(prefix)
    if version != VERSION:
        raise WireError(f"unreadable reply: format version {version}, not {VERSION}")
    if arrays > bounds.arrays:
        raise WireError(f"it holds {arrays} arrays, more than the {bounds.arrays} its request can need")
    if structure > bounds.structure_bytes:
        raise WireError(f"its structure of {megabytes(structure)} is over the {megabytes(bounds.structure_bytes)} "
                        "its request can need")
    return arrays, structure


def _arrays(table: np.ndarray, data: memoryview) -> list[np.ndarray]:
    """The arrays ``table`` describes, views of ``data``, after checking each lies in it after the one before."""
    if np.any(table["dtype"] >= len(DTYPES)) or np.any(table["ndim"] > MAX_NDIM):
        raise WireError("an array of the reply has a dtype or a shape the kit does not send")
    arrays, end = [], 0
    for offset, code, ndim, shape in zip(table["offset"].tolist(), table["dtype"].tolist(), table["ndim"].tolist(),
                                         table["shape"].tolist(), strict=True):
        dtype, shape = DTYPES[code], shape[:ndim]
        count = math.prod(shape)
        if offset < end or offset + count * dtype.itemsize > len(data):
            raise WireError("an array of the reply lies outside its data, or over another array")
        end = offset + count * dtype.itemsize
        arrays.append(np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape))
    return arrays


def read(path: Path, max_bytes: int = MAX_BYTES, bounds: Bounds = Bounds()) -> Any:
    """Read a message written by ``write``; raise WireError if it is oversized, outside ``bounds`` or not
    plain data. Its arrays are writable views of one buffer that only this message uses."""
    file, size = _open(path, max_bytes)
    try:
        with file:
            count, structure = _prefix(file, bounds)
            # As many bytes as the file held when it was opened: the child may still be writing to it.
            content = memoryview(bytearray(max(0, size - PREFIX.size)))
            size = file.readinto(content) or 0
        content = content[:size]
        table_bytes = count * RECORD.itemsize
        start = _aligned(PREFIX.size + table_bytes + structure) - PREFIX.size
        if start > size:
            raise WireError("unreadable reply: it is shorter than its table and structure say")
        table = np.frombuffer(content, dtype=RECORD, count=count)
        arrays = _arrays(table, content[start:])
        return json.loads(bytes(content[table_bytes:table_bytes + structure]), object_hook=_Placer(arrays))
    except (ValueError, KeyError, TypeError, IndexError, RecursionError, UnicodeDecodeError, MemoryError,
            OSError) as error:
        if isinstance(error, WireError):
            raise
        raise WireError(f"malformed reply: {type(error).__name__}: {error}") from error


_UNBOUNDED = Bounds(arrays=sys.maxsize, structure_bytes=sys.maxsize)


def read_request(path: Path) -> Any:
    """The grader's message to a child (``write``), which the child can trust: written by the grader,
    read-only to the child. Read by the same checks as a reply, without a reply's caps: a pass of many
    seeds (the corpora's) asks more than any one reply holds."""
    return read(path, max_bytes=sys.maxsize, bounds=_UNBOUNDED)


class _Placer:
    """json's ``object_hook``: each ``{"__array__": n}`` becomes the n-th array, which no other place may
    name (``write`` names each once: a file that named one array a thousand times could make its reader
    copy a thousand times its size)."""

    def __init__(self, arrays: list[np.ndarray]):
        self.arrays, self.placed = arrays, set[int]()

    def __call__(self, value: dict[str, Any]) -> Any:
        if _ARRAY not in value:
            return value
        number = value[_ARRAY]
        if len(value) != 1 or type(number) is not int or not 0 <= number < len(self.arrays):
            raise WireError("the reply names an array it does not hold")
        if number in self.placed:
            raise WireError("the reply names one of its arrays twice")
        self.placed.add(number)
        return self.arrays[number]
