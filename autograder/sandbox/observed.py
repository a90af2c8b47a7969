"""Inputs the grader watches itself: shared memory that the child's code works on in place.

Whether a function modifies its inputs cannot be asked of the child: the student's code runs there
and can rebind whatever would report it. So for the cases of the no-mutation checks the grader
puts the inputs (the forward's array arguments and ``dout``; for ``clip_grad_norm`` the arrays of
the input dict) into one anonymous shared file (``memfd``), sealed at its size, that the child
inherits. The child hands the student views of that memory instead of copies, so an in-place
change lands in it; the grader reads the memory back as soon as the function's reply arrives and
compares it with what it wrote. No rebinding in the child changes what the grader reads.

What it does not see: a change undone before the reply is written (code that restores the values
after its backward has returned, before the child replies); that input is then unchanged when the
caller looks, which is what the check asks.

Layout, per function and case: a list of ``[path, offset, shape, dtype]`` where ``path`` names the
array inside the request (``["args", "x"]``, ``["dout"]``, ``["args", "grads", "W1"]``).
"""

from __future__ import annotations

import fcntl
import mmap
import os
from typing import Any

import numpy as np

ALIGN = 64  # each array starts on a cache line: any dtype's alignment


def _arrays(request: dict[str, Any]) -> list[tuple[list[str], np.ndarray]]:
    """The arrays of one request a function could modify, with their paths."""
    found = []
    for name, value in request["args"].items():
        if isinstance(value, np.ndarray):
            found.append((["args", name], value))
        elif isinstance(value, dict):
            found.extend((["args", name, key], item) for key, item in value.items() if isinstance(item, np.ndarray))
    if isinstance(request.get("dout"), np.ndarray):
        found.append((["dout"], request["dout"]))
    return found


def _name(path: list[str]) -> str:
    return path[-1] if path[0] != "args" or len(path) == 2 else f"{path[1]}[{path[2]!r}]"


class SharedInputs:
    """The grader's side: one sealed memfd holding the watched cases' inputs of one module's run.

    ``requests`` maps each function to its case requests; those with ``"observe": True`` are
    watched. ``self.requests`` is a copy in which each watched request carries its ``"shared"``
    layout: the requests to send to the child.
    """

    def __init__(self, requests: dict[str, list[dict[str, Any]]]):
        self.expected: dict[str, list[list[tuple[str, int, bytes]]]] = {}
        self.requests: dict[str, list[dict[str, Any]]] = {}
        chunks, size = [], 0
        for function, cases in requests.items():
            self.expected[function], self.requests[function] = [], []
            for original in cases:
                request, watched = dict(original), []
                self.requests[function].append(request)
                if request.get("observe"):
                    layout = []
                    for path, array in _arrays(request):
                        data = np.ascontiguousarray(array).tobytes()
                        size += -size % ALIGN
                        layout.append([path, size, list(array.shape), array.dtype.str])
                        watched.append((_name(path), size, data))
                        chunks.append((size, data))
                        size += len(data)
                    request["shared"] = layout
                self.expected[function].append(watched)
        self.size = max(size, 1)
        self.fd = os.memfd_create("backprop-inputs", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.ftruncate(self.fd, self.size)
        for offset, data in chunks:
            os.pwrite(self.fd, data, offset)
        # The child may write into the memory but never shrink or grow it under the grader.
        fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)

    def changed(self, function: str) -> list[list[str]]:
        """Per case of ``function``: the inputs whose memory no longer holds what the grader wrote."""
        return [[name for name, offset, data in watched if os.pread(self.fd, len(data), offset) != data]
                for watched in self.expected.get(function, [])]

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> SharedInputs:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def attach(message: dict[str, Any]) -> None:
    """The child's side: replace every watched input of ``message``'s requests by a view of the
    shared memory (``message["shared_fd"]``), before any student code runs."""
    fd = message.get("shared_fd")
    if fd is None:
        return
    memory = mmap.mmap(fd, os.fstat(fd).st_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    for cases in message["requests"].values():
        for request in cases:
            for path, offset, shape, dtype in request.get("shared", []):
                count = int(np.prod(shape, dtype=np.int64))
                view = np.frombuffer(memory, dtype=np.dtype(dtype), count=count, offset=offset).reshape(shape)
                holder = request
                for key in path[:-1]:
                    holder = holder[key]
                holder[path[-1]] = view
