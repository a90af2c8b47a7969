"""Confined notebook kernels, one at a time: what a cell can see and do, and what happens when the
machine cannot confine one (``autograder.sandbox.kernels``, ``autograder.integrations.nbgrader.confined_execute``)."""

from __future__ import annotations

import errno
import os
import platform
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
import nbformat
from nbgrader_course import ASSIGNMENT, new_course, write_student

from autograder.integrations.nbgrader.confined_execute import ConfinedExecute
from autograder.sandbox import kernels, uids

pytestmark = pytest.mark.e2e  # real Jupyter kernels (and real nbgrader): left out of the fast loop

MISSING = kernels.missing_protections()
needs_confinement = pytest.mark.skipif(MISSING != [], reason="cannot confine kernels here: " + "; ".join(MISSING))


def _run(folder: Path, *sources: str, timeout: int = 10, notebook_seconds: int = 300) -> list[list[dict]]:
    """Run cells in a confined kernel with ``folder`` as the notebook's folder; the outputs of each cell."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    ConfinedExecute(timeout=timeout, notebook_seconds=notebook_seconds).preprocess(
        notebook, {"metadata": {"path": str(folder)}})
    return [cell.outputs for cell in notebook.cells]


def _text(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") + str(o.get("data", {}).get("text/plain", ""))
                   for o in outputs)


@needs_confinement
def test_a_cell_runs_as_a_private_uid_in_a_copy_of_its_folder(tmp_path: Path) -> None:
    (tmp_path / "layers.py").write_text("ANSWER = 42\n")
    (tmp_path / "secret.txt").write_text("top secret")
    (tmp_path / "linked.txt").symlink_to(tmp_path / "secret.txt")
    uid, where, imported, linked, written = _run(
        tmp_path, "import os; print(os.getuid(), os.getgid(), os.getgroups())", "print(os.getcwd())",
        "import layers; print(layers.ANSWER)", "print(os.path.lexists('linked.txt'))",
        "_ = open('layers.py', 'w').write('changed'), open('new.txt', 'w').write('x')")
    user, group, groups = _text(uid).split(maxsplit=2)
    assert uids.FIRST_UID <= int(user) < uids.FIRST_UID + uids.COUNT and group == user and groups.strip() == "[]"
    assert _text(where).strip() != str(tmp_path) and _text(where).strip().endswith("/work")
    assert _text(imported).strip() == "42"
    assert _text(linked).strip() == "False", "a symbolic link is not copied for the kernel"
    assert written == [] and (tmp_path / "layers.py").read_text() == "ANSWER = 42\n"
    assert not (tmp_path / "new.txt").exists()


@needs_confinement
def test_a_cell_reads_no_file_outside_and_reaches_no_network(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    os.chmod(outside, 0o644)
    folder = tmp_path / "notebook"
    folder.mkdir()
    read, listed, tcp, spawned = _run(
        folder, f"open({str(outside)!r}).read()", "import os; os.listdir('/tmp')",
        "import socket; socket.create_connection(('127.0.0.1', 22), timeout=1)",
        "import subprocess; subprocess.run(['/bin/true'])")
    for outputs in (read, listed, tcp, spawned):
        assert [o["ename"] for o in outputs if o["output_type"] == "error"] == ["PermissionError"], outputs


@needs_confinement
@pytest.mark.skipif(platform.machine() != "x86_64", reason="syscall numbers of x86-64")
def test_a_cell_cannot_use_what_landlock_does_not_cover(tmp_path: Path) -> None:
    """Kernel keyrings, io_uring, inotify, System V IPC and file handles are refused (the kernel's
    seccomp profile); the kernel itself keeps working."""
    libc = "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); "
    probes = {"add_key": "libc.syscall(248, b'user', b'k', b'v', 1, -3)",  # add_key into the session keyring
              "io_uring_setup": "libc.syscall(425, 8, ctypes.create_string_buffer(120))",
              "inotify_init1": "libc.syscall(294, 0)",
              "shmget": "libc.syscall(29, 0, 4096, 0o1666)",
              "name_to_handle_at": "libc.syscall(303, -100, b'/', ctypes.create_string_buffer(136), "
                                   "ctypes.byref(ctypes.c_int()), 0)"}
    cells = [f"{libc}print({call}, ctypes.get_errno())" for call in probes.values()]
    outputs = _run(tmp_path, *cells, "print(6 * 7)")
    for name, cell in zip(probes, outputs[:-1], strict=True):
        assert _text(cell).split() == ["-1", str(errno.EPERM)], (name, cell)
    assert _text(outputs[-1]).strip() == "42"


@needs_confinement
def test_two_kernels_at_once_never_share_a_uid(tmp_path: Path) -> None:
    seen: list[str] = []

    def one(name: str) -> None:
        folder = tmp_path / name
        folder.mkdir()
        seen.append(_text(_run(folder, "import os, time; time.sleep(2); print(os.getuid())")[0]).strip())

    threads = [threading.Thread(target=one, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 3, seen


@needs_confinement
def test_a_dead_kernel_or_an_unstoppable_loop_costs_only_its_cell(tmp_path: Path) -> None:
    died, after_death, looped, after_loop = _run(
        tmp_path, "import os; os._exit(3)", "print('fresh kernel')",
        "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass", "print('again')",
        timeout=3)
    assert died[-1]["ename"] == "KernelDied"
    assert _text(after_death).strip() == "fresh kernel"
    assert looped[-1]["ename"] == "CellTimeoutError" and "did not stop" in looped[-1]["evalue"]
    assert _text(after_loop).strip() == "again"


@needs_confinement
def test_a_notebook_past_its_time_has_its_running_cell_stopped_and_the_rest_not_run(tmp_path: Path) -> None:
    """Cells that each sleep under the cell timeout share the notebook's time: past it, nothing more runs."""
    first, second, unstoppable, third = _run(
        tmp_path, "import time; time.sleep(1); print('first')", "time.sleep(15); print('second')",
        "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass", "print('third')",
        timeout=10, notebook_seconds=3)
    assert _text(first).strip() == "first"
    assert "second" not in _text(second) and second[-1]["output_type"] == "error"
    assert unstoppable[-1]["ename"] == "NotebookTimeout" and "was not run" in unstoppable[-1]["evalue"]
    assert third[-1]["ename"] == "NotebookTimeout" and "third" not in _text(third)


@needs_confinement
def test_a_notebook_that_fills_its_folder_runs_out_of_room(tmp_path: Path) -> None:
    """The kernel's folders are a capped tmpfs: many files, big files, a tree too deep or a path too
    long for a walker, all stop at the cap, and all of it is gone with the kernel."""
    where, many, big, deep, after = _run(
        tmp_path, "import os; print(os.getcwd())", "for i in range(5000):\n    open(f'f{i}', 'w').close()",
        "open('big', 'wb').write(b'0' * (100 << 20)); open('big2', 'wb').write(b'0' * (100 << 20))\n"
        "open('big3', 'wb').write(b'0' * (100 << 20)); open('big4', 'wb').write(b'0' * (100 << 20))",
        "import os\nfor i in range(1500):\n    os.mkdir('d' * 200); os.chdir('d' * 200)", "print('still here')")
    assert "No space left on device" in many[-1]["evalue"]
    assert "No space left on device" in big[-1]["evalue"]
    assert deep[-1]["output_type"] == "error"
    assert _text(after).strip() == "still here"
    # This kernel's own cage, by name: other kernels (of tests beside this one, of other runs) come and go.
    cages = [folder for folder in Path(_text(where).strip()).parents if folder.name.startswith("backprop-kernel-")]
    assert len(cages) == 1 and not cages[0].exists(), "the cage is removed"


@needs_confinement
def test_messages_that_slip_past_the_output_cap_or_break_nbclient_cost_only_their_cell(tmp_path: Path) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    updated, names, duplicated, after = _run(
        tmp_path,
        "from IPython.display import display, update_display\nfor i in range(200): display('x', display_id='d')\n"
        "update_display('A' * 5_000_000, display_id='d')",
        "k = get_ipython().kernel\nfor i in range(10):\n    k.session.send(k.iopub_socket, 'error', "
        "{'ename': 'E' * 5_000_000, 'evalue': '', 'traceback': []}, parent=k.get_parent('shell'))",
        "k = get_ipython().kernel\nf = k.session.serialize(k.session.msg('stream', {'name': 'stdout', 'text': 'hi'}, "
        "parent=k.get_parent('shell')))\nk.iopub_thread.schedule(lambda: [k.iopub_thread.socket.send_multipart(f) "
        "for _ in range(2)])\nimport time; time.sleep(1)",
        "print('fine')")
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) << 10
    assert grown < 200 << 20, f"the grader grew by {grown >> 20} MB"
    assert sum(len(str(o)) for o in updated) < 2 << 20
    assert sum(len(str(o)) for o in names) < 2 << 20
    assert duplicated[-1]["output_type"] == "error"
    assert _text(after).strip() == "fine"


@needs_confinement
def test_output_past_the_cap_is_dropped(tmp_path: Path) -> None:
    (outputs,) = _run(tmp_path, "for _ in range(5):\n    print('x' * (1 << 20))")
    assert sum(len(o.get("text", "")) for o in outputs) < 2 << 20
    assert "dropped some" in outputs[-1]["text"]


def test_a_machine_that_cannot_confine_refuses_autograde(tmp_path: Path) -> None:
    """Fail closed: without util-linux (unshare, setpriv) nothing is graded, and the message says what is
    missing and how to get it; the unsafe opt-in is named."""
    course = new_course(tmp_path)
    write_student(course, "student", {}, None)
    only_python = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # nbgrader and alembic, no util-linux
    refused = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], cwd=course, env=only_python,
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert "cannot be run confined" in refused.stderr
    assert "unshare from util-linux: install the util-linux package" in refused.stderr
    assert kernels.UNSAFE_OPT_IN in refused.stderr
    assert not (course / "autograded").exists()
