"""The C libraries the sandbox's bindings load, found without running ``ldconfig``.

pyseccomp, pyprctl and landlockpy each find libc (pyseccomp libseccomp too) with
``ctypes.util.find_library``, which on Linux forks and runs ``ldconfig -p`` at every call: seven
processes per grade (the template, the grader's probe and its seccomp test), each on the way to the
first child. ``found_by_soname`` answers those calls with the library's soname instead, once the
dynamic loader has loaded it by that name. That is the answer ``find_library`` gives on such a
machine: it too returns a soname (``libc.so.6``), which ``ctypes.CDLL`` hands to the same loader.
For any other name, or where the loader does not know the soname (another C library, another
libseccomp version), ``find_library`` runs as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# What the bindings ask for, and the soname glibc systems give it (libseccomp2 is Debian's and Ubuntu's).
SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}

# The probe's thread and the grader's own imports may both be in here: one at a time, or the last to
# leave would put back the other's stand-in for good. Re-entrant: a binding may load another inside.
_lock = threading.RLock()


def _loaded(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


@contextmanager
def found_by_soname() -> Iterator[None]:
    """Within: ``ctypes.util.find_library(name)`` for a name of ``SONAMES`` is that soname, where the
    loader loads it; afterwards it is the standard function again (so student code never meets this one)."""
    with _lock:
        standard = ctypes.util.find_library

        def find_library(name: str) -> str | None:
            soname = SONAMES.get(name)
            return soname if soname is not None and _loaded(soname) else standard(name)

        ctypes.util.find_library = find_library
        try:
            yield
        finally:
            ctypes.util.find_library = standard
