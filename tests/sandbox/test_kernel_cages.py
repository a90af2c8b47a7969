"""Every kernel cage that is opened is closed: unmounted, removed and its uid given back, whichever way its
kernel ends (``autograder.sandbox.kernels``). A cage whose grader was killed is swept by the next one.

The tests with a real kernel are end-to-end; the others make cages alone, which needs root (``mount``)."""

from __future__ import annotations

import asyncio
import fcntl
import gc
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import zmq.asyncio

pytest.importorskip("nbclient")
import nbformat
from jupyter_core.utils import run_sync

from autograder.integrations.nbgrader.confined_execute import ConfinedExecute
from autograder.sandbox import kernels, uids

MISSING = kernels.missing_protections()
needs_confinement = pytest.mark.skipif(MISSING != [], reason="cannot confine kernels here: " + "; ".join(MISSING))
needs_root = pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                                reason="a cage mounts a tmpfs: root on Linux")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[kernels.KernelCage]:
    """The cages opened while the test runs, in order."""
    cages: list[kernels.KernelCage] = []
    real = kernels.KernelCage.open.__func__  # type: ignore[attr-defined]

    def recording(cls: type[kernels.KernelCage], folder: Path) -> kernels.KernelCage:
        cages.append(real(cls, folder))
        return cages[-1]

    monkeypatch.setattr(kernels.KernelCage, "open", classmethod(recording))
    return cages


def _mounted(cage_root: Path) -> bool:
    return f" {cage_root}/space " in Path("/proc/self/mounts").read_text()


def _leased(uid: int) -> bool:
    """Whether a lease holds ``uid``'s lock (a second flock fails even in the process that holds it)."""
    handle = os.open(uids.LOCKS / str(uid), os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


def _gone(cage: kernels.KernelCage) -> bool:
    """Whether the cage is unmounted, removed and its uid's lease given back."""
    return not _mounted(cage.root) and not cage.root.exists() and not _leased(cage.lease.uid)


def _run(folder: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    ConfinedExecute(timeout=10).preprocess(notebook, {"metadata": {"path": str(folder)}})


@pytest.mark.e2e
@needs_confinement
def test_a_kernel_that_died_leaves_no_cage_after_nbclients_cleanup(tmp_path: Path,
                                                                   opened: list[kernels.KernelCage]) -> None:
    """nbclient ends a kernel that is already dead with ``cleanup_resources`` alone, no shutdown (the kernel
    that would not start, or died after the last cell): that call too closes the cage."""
    async def die_then_clean_up() -> None:
        manager = kernels.ConfinedKernelManager(kernel_name="python3")
        await manager.start_kernel(cwd=str(tmp_path))
        assert manager.provisioner is not None
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
        while await manager.is_alive():
            await asyncio.sleep(0.05)
        await manager.cleanup_resources()

    asyncio.run(die_then_clean_up())
    (cage,) = opened
    assert _gone(cage)


@pytest.mark.e2e
@needs_confinement
def test_a_kernel_that_cannot_start_leaves_no_cage(tmp_path: Path, opened: list[kernels.KernelCage],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel that dies before it answers (nbclient cleans up), and one whose program cannot even be
    started (nbclient cleans up nothing: the manager's start raised): neither leaves its cage."""
    monkeypatch.setattr(kernels.KernelCage, "command", lambda self, connection_file: ["/bin/false"])
    with pytest.raises(RuntimeError, match="died"):
        _run(tmp_path, "print(1)")
    monkeypatch.setattr(kernels.KernelCage, "command", lambda self, connection_file: [str(tmp_path / "missing")])
    with pytest.raises(FileNotFoundError):
        _run(tmp_path, "print(1)")
    assert len(opened) == 2 and all(_gone(cage) for cage in opened)


@pytest.mark.e2e
@needs_confinement
def test_a_manager_dropped_without_cleanup_closes_its_cage(tmp_path: Path, opened: list[kernels.KernelCage]) -> None:
    # A ZeroMQ context of the test's: one the manager made itself can hang in term() when it is collected.
    context = zmq.asyncio.Context()
    manager = kernels.ConfinedKernelManager(kernel_name="python3", context=context)
    run_sync(manager.start_kernel)(cwd=str(tmp_path))
    del manager
    gc.collect()
    context.destroy(linger=0)
    (cage,) = opened
    assert _gone(cage), "the kernel is killed and its cage closed when its manager is collected"


def _fail(*_: object) -> None:
    raise OSError("injected")


@needs_root
def test_a_cage_is_closed_even_when_killing_its_leftovers_fails(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cage = kernels.KernelCage.open(tmp_path)
    monkeypatch.setattr(kernels.KernelCage, "kill_leftovers", _fail)
    with pytest.raises(OSError, match="injected"):
        cage.close()
    assert _gone(cage), "the failure is raised after every other step was done"


@needs_root
def test_a_cage_that_cannot_be_unmounted_keeps_its_uid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: while the kernel's files stay mounted, its uid is not leased to another kernel."""
    cage = kernels.KernelCage.open(tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(kernels, "_unmount", _fail)
        with pytest.raises(OSError, match="injected"):
            cage.close()
    try:
        assert _mounted(cage.root) and _leased(cage.lease.uid)
    finally:
        kernels._unmount(cage.space)
        shutil.rmtree(cage.root)
        cage.lease.release()


@needs_root
def test_a_cage_is_closed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its uid may be another kernel's as soon as it is given back: a second close must not kill as it."""
    cage = kernels.KernelCage.open(tmp_path)
    cage.close()
    monkeypatch.setattr(kernels.KernelCage, "kill_leftovers", _fail)
    cage.close()
    assert _gone(cage)


# Opens a cage, says where, and ends as it was told: at once, skipping atexit as SIGKILL would, or when its
# stdin closes, normally.
_GRADER = """
import os, sys
from pathlib import Path
from autograder.sandbox.kernels import KernelCage
cage = KernelCage.open(Path(sys.argv[1]))
print(cage.root, flush=True)
if sys.argv[2] == "killed":
    os._exit(0)
sys.stdin.read()
"""


@needs_root
def test_the_next_cage_sweeps_those_of_a_killed_grader_and_no_live_ones(tmp_path: Path) -> None:
    def grader(ending: str) -> tuple[subprocess.Popen[str], Path]:
        process = subprocess.Popen([sys.executable, "-c", _GRADER, str(tmp_path), ending], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert process.stdout is not None
        return process, Path(process.stdout.readline().strip())

    killed, killed_cage = grader("killed")
    assert killed.wait(timeout=60) == 0
    assert _mounted(killed_cage) and killed_cage.exists(), "what a killed grader leaves"
    live, live_cage = grader("lives")  # its cage is the next one opened
    try:
        assert not _mounted(killed_cage) and not killed_cage.exists()
        kernels.KernelCage.open(tmp_path).close()
        assert _mounted(live_cage) and live_cage.exists(), "a live grader's cage is left alone"
    finally:
        live.communicate("", timeout=60)
    assert not _mounted(live_cage) and not live_cage.exists()
