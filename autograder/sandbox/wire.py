"""Plain-data wire format between the grader and the process that runs student code.

A message is a tree of dicts, lists, strings, numbers, booleans, None and numpy arrays. It is
stored as one ``.npz`` file: the arrays as entries, the tree as JSON. The reader trusts nothing in
the file: it never follows a symlink or opens anything but a regular file, refuses files above a
size cap, compressed entries (no zip bombs), array headers that promise more data than the entry
holds, non-numeric dtypes and unpickling (``allow_pickle=False``), and JSON nested deeper than any
real reply. So a reply carries nothing but numbers and text, and reading one cannot hang, exhaust
memory or crash the grader.

A reader that knows what it asked for passes ``Bounds``: a message with more entries, a larger table
of contents or a larger structure than the request can need is refused from the zip's end record
and its table of contents, before a single entry or byte of JSON is parsed, so refusing costs the
same however much the writer put in the file.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy

from autograder.core import syntax
from autograder.core.files import replaced_atomically

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16  # a real reply nests 5 deep
MAX_ENTRIES = 100_000
DIRECTORY_BYTES_PER_ENTRY = 256  # one record of the zip's table of contents: 46 bytes, a short name, zip64's extra
NPY_HEADER_BYTES = 4096  # an entry's own header, before its data
STRUCTURE = "__structure__"
_ARRAY = "__array__"
_NUMERIC_KINDS = "biuf"


class WireError(ValueError):
    """A message that is not plain data, or is too large."""


@dataclass(frozen=True)
class Bounds:
    """The most one message may hold: entries (its arrays and its structure) and bytes of structure."""

    entries: int = MAX_ENTRIES
    structure_bytes: int = MAX_BYTES


def megabytes(size: float) -> str:
    """A size for people: ``"103.0 MB"`` (MB of 2**20 bytes), whole numbers without decimals."""
    value = size / 2**20
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


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


def payload_bytes(message: Any) -> int:
    """About how many bytes ``write`` would need for ``message`` (its arrays dominate)."""
    if isinstance(message, np.ndarray):
        return message.nbytes
    if isinstance(message, dict):
        return sum(payload_bytes(v) for v in message.values())
    if isinstance(message, list | tuple):
        return sum(payload_bytes(v) for v in message)
    return 16


def write(path: Path, message: Any) -> None:
    """Write ``message`` to ``path`` atomically (a reader never sees half a file)."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(message, arrays)
    structure = np.frombuffer(json.dumps(tree).encode(), dtype=np.uint8)
    with replaced_atomically(path, mode=None) as handle:  # the child may not chmod (``syscalls``)
        # mypy lets **arrays fill savez's allow_pickle; its keys are _encode's "a0", "a1", ... only.
        np.savez(handle, __structure__=structure, **arrays)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The other way: the grader's request to a child, which the child can trust (written by the grader,
# read-only to the child). One JSON header and one buffer: hundreds of arrays cost one read, not a
# zip entry and a parsed header each.

PACKED_ALIGN = 64  # each array starts on a cache line: any dtype's alignment


def write_request(path: Path, message: Any) -> None:
    """Write the grader's ``message`` for a child to ``path`` atomically, its arrays in one buffer."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(message, arrays)
    layout, chunks, size = {}, [], 0
    for key, array in arrays.items():
        data = np.ascontiguousarray(array).tobytes()
        size += -size % PACKED_ALIGN
        layout[key] = [size, list(array.shape), array.dtype.str]
        chunks.append((size, data))
        size += len(data)
    header = json.dumps({"tree": tree, "arrays": layout}).encode()
    body = bytearray(size)
    for offset, data in chunks:
        body[offset:offset + len(data)] = data
    with replaced_atomically(path, mode=None) as handle:
        handle.write(len(header).to_bytes(8, "little") + header)
        handle.write(body)


def read_request(path: Path) -> Any:
    """The message ``write_request`` wrote, its arrays writable views of one buffer."""
    with open(path, "rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(length))
        body = bytearray(handle.read())
    arrays = {key: np.frombuffer(body, dtype=np.dtype(dtype), count=math.prod(shape), offset=offset).reshape(shape)
              for key, (offset, shape, dtype) in header["arrays"].items()}
    return _decode(header["tree"], arrays)


def _decode(value: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"reply nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            return arrays[value[_ARRAY]]
        return {k: _decode(v, arrays, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, arrays, depth + 1) for v in value]
    return value


def _check_directory(file: io.BufferedReader, bounds: Bounds) -> None:
    """Refuse a zip whose end record promises more entries, or a larger table of contents, than
    ``bounds`` allow, then one whose table of contents lists a larger structure, all before the file
    is read. The end record is the file's last 22 bytes (64 KB more with a comment), read with the
    private helper of zipfile's that ``ZipFile`` itself trusts (stable for decades). ``read`` checks
    again on the bytes it parses: the child may rewrite the file in between."""
    end = zipfile._EndRecData(file)  # type: ignore[attr-defined]  # private: typeshed leaves it out
    if end is None:
        raise WireError("unreadable reply: it is not a zip file")
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > bounds.entries:
        raise WireError(f"it holds {entries} entries, more than the {bounds.entries} its request can need")
    if directory > bounds.entries * DIRECTORY_BYTES_PER_ENTRY:
        raise WireError(f"its table of contents of {megabytes(directory)} is larger than its request can need")
    try:
        with zipfile.ZipFile(file) as archive:  # reads the table of contents only, now known to be small
            _check_structure(archive.infolist(), bounds)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        if isinstance(error, WireError):
            raise
        raise WireError(f"unreadable reply: {error}") from error
    file.seek(0)


def _check_structure(entries: list[zipfile.ZipInfo], bounds: Bounds) -> None:
    """Refuse, from the table of contents, a structure larger than ``bounds`` allow, before reading it."""
    for entry in entries:
        size = max(entry.file_size, entry.compress_size)
        if entry.filename == f"{STRUCTURE}.npy" and size > bounds.structure_bytes + NPY_HEADER_BYTES:
            raise WireError(f"its structure of {megabytes(size)} is over the {megabytes(bounds.structure_bytes)} "
                            "its request can need")


def _read_file(path: Path, max_bytes: int, bounds: Bounds) -> bytes:
    """The file's bytes: a regular file only (no symlink, FIFO or device), at most ``max_bytes``, within
    ``bounds`` as far as its end record tells."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise WireError(f"unreadable reply: {error.strerror}") from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise WireError("the reply is not a regular file")
    with os.fdopen(handle, "rb") as file:
        if info.st_size > max_bytes:
            raise WireError(f"reply of {megabytes(info.st_size)} is over the {megabytes(max_bytes)} limit")
        _check_directory(file, bounds)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise WireError(f"reply is over the {megabytes(max_bytes)} limit")
    return data


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> np.ndarray:
    """One array, after checking its header against the bytes the entry really holds."""
    if entry.compress_type != zipfile.ZIP_STORED:
        raise WireError(f"entry {entry.filename} is compressed")
    raw = archive.read(entry)
    stream = io.BytesIO(raw)
    version = npy.read_magic(stream)
    if version not in ((1, 0), (2, 0)):
        raise WireError(f"entry {entry.filename} has format version {version}")
    read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
    with syntax.PARSER:  # numpy parses the header with ast.literal_eval: one parse at a time (``syntax``)
        shape, fortran_order, dtype = read_header(stream)
    if dtype.hasobject or dtype.kind not in _NUMERIC_KINDS:
        raise WireError(f"entry {entry.filename} has dtype {dtype}, not numbers")
    count = math.prod(shape)
    if stream.tell() + count * dtype.itemsize != len(raw):
        raise WireError(f"entry {entry.filename} does not hold the data its header promises")
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=stream.tell())
    return flat.reshape(shape, order="F" if fortran_order else "C").copy()


def read(path: Path, max_bytes: int = MAX_BYTES, bounds: Bounds = Bounds()) -> Any:
    """Read a message written by ``write``; raise WireError if it is oversized, outside ``bounds`` or not
    plain data."""
    data = _read_file(path, max_bytes, bounds)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > bounds.entries:
                raise WireError(f"it holds {len(entries)} entries, more than the {bounds.entries} its request can need")
            if sum(e.file_size for e in entries) > max_bytes:
                raise WireError("reply unpacks to more than the size limit")
            _check_structure(entries, bounds)
            arrays = {}
            for entry in entries:
                if not entry.filename.endswith(".npy"):
                    raise WireError(f"unexpected entry {entry.filename}")
                arrays[entry.filename[:-4]] = _read_entry(archive, entry)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, MemoryError, RecursionError) as error:
        if isinstance(error, WireError):
            raise
        raise WireError(f"unreadable reply: {error}") from error
    structure = arrays.pop(STRUCTURE, None)
    if structure is None or structure.dtype != np.uint8 or structure.ndim != 1:
        raise WireError("reply has no structure entry")
    try:
        return _decode(json.loads(structure.tobytes()), arrays)
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        if isinstance(error, WireError):
            raise
        raise WireError(f"malformed reply: {error}") from error
