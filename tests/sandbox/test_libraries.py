"""The sandbox's bindings find their C libraries without running ``ldconfig``, and only while they load:
student code always meets the standard ``ctypes.util.find_library``."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import threading

import pytest

from autograder.sandbox import libraries
from autograder.sandbox.libraries import found_by_soname

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not libraries._loaded("libc.so.6"),
                                reason="sonames of glibc systems")


def _no_processes(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(f"started a process: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_within_libc_is_found_by_its_soname_without_a_process(monkeypatch) -> None:
    standard = ctypes.util.find_library
    _no_processes(monkeypatch)
    with found_by_soname():
        assert ctypes.util.find_library("c") == "libc.so.6"
    assert ctypes.util.find_library is standard


def test_other_names_and_sonames_the_loader_lacks_are_looked_up_as_before(monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: asked.append(name) or f"lib{name}.so.1")
    monkeypatch.setitem(libraries.SONAMES, "seccomp", "libno-such-library.so.9")
    with found_by_soname():
        assert ctypes.util.find_library("m") == "libm.so.1"
        assert ctypes.util.find_library("seccomp") == "libseccomp.so.1"
    assert asked == ["m", "seccomp"]


def test_the_standard_function_is_back_after_an_error_and_after_threads_overlap() -> None:
    standard = ctypes.util.find_library
    with pytest.raises(KeyError), found_by_soname():
        raise KeyError("a binding failed to load")
    assert ctypes.util.find_library is standard
    inside, leave = threading.Barrier(2, timeout=5), threading.Event()

    def hold() -> None:
        with found_by_soname():
            inside.wait()
            leave.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait()  # the holder is within; a second thread now waits its turn instead of stacking stand-ins
    nested_done = threading.Event()

    def second() -> None:
        with found_by_soname(), found_by_soname():  # re-entrant within one thread
            nested_done.set()

    other = threading.Thread(target=second)
    other.start()
    assert not nested_done.wait(0.2)
    leave.set()
    holder.join(5)
    other.join(5)
    assert nested_done.is_set() and ctypes.util.find_library is standard


def test_the_templates_and_the_grader_s_bindings_load_without_ldconfig() -> None:
    """What a template imports, and the probe's calls, in a fresh Python: no `ldconfig -p` on the way."""
    code = ("import subprocess, sys\n"
            "real = subprocess.Popen.__init__\n"
            "def watch(self, args, *a, **k):\n"
            "    assert 'ldconfig' not in str(args), args\n"
            "    real(self, args, *a, **k)\n"
            "subprocess.Popen.__init__ = watch\n"
            "from autograder.sandbox.libraries import found_by_soname\n"
            "with found_by_soname():\n"
            "    from autograder.sandbox import privileges, syscalls\n"
            "    syscalls.build('grading')\n"
            "from autograder.sandbox import host\n"
            "assert host.landlock_abi() >= 0\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
