"""Notebook kernels confined like grading children: what ``nbgrader autograde`` runs a notebook in.

A notebook is student code too. ``ConfinedKernelManager`` is a Jupyter kernel manager (nbclient and
nbgrader's ``Execute`` take one as ``kernel_manager_class``) that starts every kernel in a cage of
its own (``KernelCage``):

- **its own uid** (``uids``), leased for as long as the kernel runs: never the TA's, never root,
  never another kernel's or a grading child's;
- **new network, PID, IPC and mount namespaces** (``host.drop_to``): no network at all, every
  process the notebook starts dies with the kernel, System V objects die with it too, and its
  ``/proc`` shows its own processes only;
- **Landlock**, applied by the kernel to itself before any cell runs (``kernel_child``): it reads only
  the Python runtime and its own copy of the notebook folder, writes only that copy, executes no
  program, and signals or connects to nothing outside itself;
- **limits** as for a grading child (memory, processes, file size, CPU); its folders are a tmpfs of
  their own whose size and number of files the kernel enforces (a watcher that walks the folder can
  be outrun, or stopped by a tree too deep or a path too long to walk);
- **its channel**: ZeroMQ's ``ipc`` transport, UNIX sockets in a folder only the kernel's uid (and
  the grader, as root) can enter; the network namespace has no interface, so TCP could not work.

The kernel works in a private copy of the folder nbgrader gives it (the student's autograded folder):
regular files only, copied by the grader. Nothing the notebook writes reaches the course.

Why a kernel manager, not a kernel spec or a provisioner: a spec or provisioner is picked by name
from the notebook's metadata and the machine's Jupyter paths, so a missing spec or a changed name
would quietly run an ordinary kernel. The manager class is fixed by ``ConfinedExecute`` in code; it
builds the kernel's command line itself and refuses to start anything it cannot confine.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import functools
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import weakref
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from autograder.sandbox import host, uids
from autograder.sandbox.environment import child_environment

UNSAFE_OPT_IN = "BACKPROP_UNSAFE_UNCONFINED_KERNELS"


@dataclass(frozen=True)
class KernelLimits:
    """What one kernel may use. Memory and file size as for a grading child; processes, open files and CPU
    are higher because a kernel keeps ZeroMQ sockets and threads and runs a whole notebook."""

    memory_bytes: int = host.LIMITS.memory_bytes
    file_bytes: int = host.LIMITS.file_bytes
    extra_processes: int = 32  # a kernel runs ZeroMQ's threads, and a notebook may start a few of its own
    open_files: int = 256
    cpu_seconds: int = 900
    folder_bytes: int = host.LIMITS.folder_bytes  # on top of the notebook folder's own size
    folder_entries: int = host.LIMITS.folder_entries
    copied_bytes: int = 64 << 20  # the notebook folder given to the kernel; a submission is ~1 MB
    copied_entries: int = 1000

    def mount_options(self, uid: int, gid: int) -> str:
        """The kernel's tmpfs: room for the copy and what the notebook may add, owned by its uid."""
        inodes = self.copied_entries + self.folder_entries + 64  # 64: IPython's and matplotlib's own files
        return f"size={self.copied_bytes + self.folder_bytes},nr_inodes={inodes},mode=0700,uid={uid},gid={gid}"


KERNEL_LIMITS = KernelLimits()
MOUNT_TIMEOUT = 30


CACHE = Path("/var/cache/backprop-kit") if os.access("/var/cache", os.W_OK) else Path(tempfile.gettempdir()) / (
    "backprop-kit-cache")
# Run by the grader, confined as a kernel is, so it finds the fonts a kernel can read and no others.
_BUILD_FONT_CACHE = (
    "import json, sys; from autograder.sandbox.confine import confine; confine(json.loads(sys.argv[1])); "
    "import matplotlib.font_manager"
)


class UnconfinedError(RuntimeError):
    """This machine cannot confine a notebook kernel; the message says what is missing and how to get it."""


def missing_protections() -> list[str]:
    """What this machine lacks to confine a kernel, each with how to get it; empty when nothing is."""
    cage = host.current()
    missing = []
    if not sys.platform.startswith("linux"):
        return ["Linux (kernels are confined with Landlock and namespaces): grade on a Linux machine"]
    if os.geteuid() != 0:
        missing.append("root: a kernel must run as a user id of its own; run nbgrader autograde as root "
                       "(for example with sudo)")
    if not cage.landlock:
        missing.append("Landlock (Linux 5.13 or newer, enabled in the kernel's LSM list): upgrade the kernel or "
                       "add landlock to the lsm= boot parameter")
    for tool in ("unshare", "setpriv", "mount"):
        if shutil.which(tool) is None:
            missing.append(f"{tool} from util-linux: install the util-linux package")
    if not missing and not any(p.name == "process tree" and p.active for p in cage.protections):
        missing.append("Linux namespaces (unshare --net --pid --ipc failed): allow unprivileged namespaces, or "
                       "grade outside a container that forbids them")
    return missing


def unsafe_opted_in() -> bool:
    """Whether the TA asked, by name, to run notebooks unconfined."""
    return os.environ.get(UNSAFE_OPT_IN, "") == "1"


def refuse_unless_confinable() -> None:
    """Raise ``UnconfinedError`` unless kernels can be confined here (or the TA opted in to running them
    unconfined)."""
    missing = missing_protections()
    if missing and not unsafe_opted_in():
        raise UnconfinedError(
            "the students' notebooks cannot be run confined on this machine; it lacks:\n"
            + "\n".join(f"  - {item}" for item in missing)
            + f"\nNothing was graded. To run them unconfined anyway (any notebook can then read and change "
            f"the course, the gradebook and other students' grades), set {UNSAFE_OPT_IN}=1.")


def system_libraries() -> list[Path]:
    """The shared libraries a kernel loads after it is shut in (ZeroMQ needs librt): the system's library
    folders and the loader's cache, public files of every Linux machine."""
    candidates = ["/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib"]
    return list(dict.fromkeys(Path(path).resolve() for path in candidates if os.path.exists(path)))


def kernel_policy(workspace: list[Path], limits: KernelLimits = KERNEL_LIMITS) -> dict[str, Any]:
    """What a kernel shuts itself in with (``confine``): its limits, the runtime and the system's
    libraries to read, and its own folders to work in."""
    return {
        "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes,
                   "file_bytes": limits.file_bytes, "open_files": limits.open_files,
                   "extra_processes": limits.extra_processes},
        "landlock": True,
        "readable": [str(path) for path in [*host.runtime_paths(), *system_libraries()]],
        "writable": ["/dev/null"],
        "workspace": [str(path) for path in workspace],
        # The kernel keeps sockets and chmod (its ZeroMQ channel); the rest Landlock misses is refused.
        "syscalls": "kernel" if host.current().seccomp else "",
    }


@functools.cache
def matplotlib_cache() -> Path | None:
    """matplotlib's font list as a kernel would build it, built once per machine by the grader itself.

    Every kernel starts with an empty home, where matplotlib would spend seconds listing fonts again;
    it gets a copy of this instead. A kernel's own cache is never reused: a notebook could poison it
    for the students after it.
    """
    import matplotlib

    folder = CACHE / f"matplotlib-{matplotlib.__version__}"
    if folder.is_dir() and os.lstat(folder).st_uid == os.geteuid() and any(folder.glob("fontlist-*.json")):
        return folder
    CACHE.mkdir(parents=True, exist_ok=True, mode=0o700)
    building = Path(tempfile.mkdtemp(prefix="matplotlib-", dir=CACHE))
    policy = kernel_policy(workspace=[building])
    env = {**child_environment(), "MPLCONFIGDIR": str(building), "HOME": str(building)}
    done = subprocess.run([sys.executable, "-s", "-c", _BUILD_FONT_CACHE, json.dumps(policy)], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    if done.returncode != 0 or not any(building.glob("fontlist-*.json")):
        shutil.rmtree(building, ignore_errors=True)
        return None  # kernels then build their own, slowly
    with suppress(OSError):
        os.rename(building, folder)
    shutil.rmtree(building, ignore_errors=True)  # another grader got there first
    return folder


def copy_folder(source: Path, destination: Path, limits: KernelLimits = KERNEL_LIMITS) -> None:
    """Copy the regular files and folders of ``source`` into ``destination``; symlinks, devices, sockets
    and anything past the size limits are left out (the kernel then sees them missing)."""
    size = entries = 0
    for top, folders, files in os.walk(source, followlinks=False):
        relative = Path(top).relative_to(source)
        for name in folders:
            if not os.path.islink(os.path.join(top, name)):
                (destination / relative / name).mkdir(mode=0o700)
        for name in files:
            path = Path(top) / name
            with suppress(OSError):
                handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
                with os.fdopen(handle, "rb") as file:
                    info = os.fstat(file.fileno())
                    entries += 1
                    if not stat.S_ISREG(info.st_mode) or entries > limits.copied_entries:
                        continue
                    if size + info.st_size > limits.copied_bytes:
                        continue
                    data = file.read(limits.copied_bytes - size + 1)
                    size += len(data)
                    if size <= limits.copied_bytes:
                        (destination / relative / name).write_bytes(data)


def _mount(*arguments: str) -> None:
    done = subprocess.run(list(arguments), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=MOUNT_TIMEOUT)
    if done.returncode != 0:
        raise UnconfinedError(f"{' '.join(arguments[:3])} failed: {done.stderr.strip()}")


_MNT_DETACH, _UMOUNT_NOFOLLOW = 2, 8  # <sys/mount.h>


def _unmount(path: Path) -> None:
    """Detach the tmpfs at ``path`` at once, as ``umount --lazy`` does, by the system call itself: no program
    to find and nothing to time out on the way out. Nothing mounted there is not an error."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.umount2(os.fsencode(path), _MNT_DETACH | _UMOUNT_NOFOLLOW) != 0:
        failure = ctypes.get_errno()
        if failure != errno.EINVAL:  # EINVAL: not a mount point (any more)
            raise OSError(failure, f"cannot unmount a kernel's folder: {os.strerror(failure)}", str(path))


_PREFIX = "backprop-kernel-"


def _owner_name() -> str:
    """The start of a cage's folder name: the grader's pid and start time (in hundredths of a second),
    which tell a later grader whether the one that made the cage still runs (a pid alone may be reused)."""
    me = psutil.Process()
    return f"{_PREFIX}{me.pid}-{round(me.create_time() * 100)}-"


def _owner_gone(name: str) -> bool:
    """Whether the grader named in a cage's folder name has ended; False when the name says no owner."""
    try:
        pid, started = (int(part) for part in name.removeprefix(_PREFIX).split("-")[:2])
    except ValueError:
        return False  # not named by ``_owner_name``: whose it is cannot be told, so it is left alone
    try:
        return abs(psutil.Process(pid).create_time() * 100 - started) > 100
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False


def sweep_stale_cages(folder: Path | None = None) -> list[Path]:
    """Unmount and remove the cages a grader left when it was killed (SIGKILL, a crash: no ``close`` ran);
    the cages in ``folder`` (the temporary folder) they were made in. Only this user's folders (never a
    symbolic link, never one others could write in) whose grader has ended; a live grader's are its own.
    Their uids were given back when the grader ended (the lease is a lock its process held)."""
    swept = []
    for root in (folder or Path(tempfile.gettempdir())).glob(f"{_PREFIX}*"):
        with suppress(OSError):
            info = os.lstat(root)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
                continue
            if _owner_gone(root.name):
                _unmount(root / "space")
                shutil.rmtree(root)
                swept.append(root)
    return swept


@dataclass
class KernelCage:
    """One kernel's private place, made and removed by the grader:

        ROOT/          root's, 0o711: the kernel passes through
          space/       a tmpfs of the kernel's uid, capped in size and files
            work/      the kernel's copy of the notebook folder (its cwd)
            home/      HOME, TMPDIR, IPython's and matplotlib's folders
          channel/     the connection file and ZeroMQ's sockets, the kernel's uid's
          stderr       what the kernel process wrote outside the notebook (why it did not start), for the TA
    """

    lease: uids.Lease
    root: Path
    limits: KernelLimits = KERNEL_LIMITS
    mounted: bool = False
    closed: bool = False
    _stderr_file: IO[bytes] | None = None

    @property
    def space(self) -> Path:
        return self.root / "space"

    @property
    def work(self) -> Path:
        return self.space / "work"

    @property
    def home(self) -> Path:
        return self.space / "home"

    @property
    def channel(self) -> Path:
        return self.root / "channel"

    @classmethod
    def open(cls, notebook_folder: Path) -> KernelCage:
        """Lease a uid, mount its tmpfs and lay out the folders, with a copy of ``notebook_folder`` in ``work/``;
        first sweep away the cages of graders that were killed."""
        sweep_stale_cages()
        lease = uids.lease()
        root = Path(tempfile.mkdtemp(prefix=_owner_name()))
        cage = cls(lease, root)
        atexit.register(cage.close)  # a grader that exits normally leaves no folder and no process behind
        try:
            os.chmod(root, 0o711)
            cage.space.mkdir(mode=0o700)
            _mount("mount", "-t", "tmpfs", "-o", cage.limits.mount_options(lease.uid, lease.gid), "tmpfs",
                   str(cage.space))
            cage.mounted = True
            for folder in (cage.work, cage.home, cage.channel):
                folder.mkdir(mode=0o700)
            copy_folder(notebook_folder, cage.work)
            fonts = matplotlib_cache()
            if fonts is not None:
                shutil.copytree(fonts, cage.home / ".mpl")
            for top, folders, files in os.walk(root):
                for name in [*folders, *files]:
                    os.chown(os.path.join(top, name), lease.uid, lease.gid, follow_symlinks=False)
        except BaseException:
            with suppress(Exception):  # what made the cage fail is what the TA needs to read
                cage.close()
            raise
        return cage

    def policy(self) -> dict[str, Any]:
        """The confinement the kernel applies to itself (``confine``)."""
        return kernel_policy([self.work, self.home, self.channel], self.limits)

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment: nothing of the TA's but what the notebook needs."""
        home = str(self.home)
        env = child_environment()
        env.pop("PYTHONHASHSEED")
        env.update({"HOME": home, "TMPDIR": home, "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.mpl",
                    "JUPYTER_RUNTIME_DIR": f"{home}/.runtime", "MALLOC_ARENA_MAX": "2",
                    "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
                    "USER": "student", "LOGNAME": "student"})
        if "NBGRADER_EXECUTION" in os.environ:  # nbcheck's cells behave as they do at grading time
            env["NBGRADER_EXECUTION"] = os.environ["NBGRADER_EXECUTION"]
        return env

    def command(self, connection_file: str) -> list[str]:
        """The kernel's command line: the sandbox's wrapper, then the kit's confining entry point."""
        private = host.private_runtime() is not None
        wrapper = host.drop_to(self.lease.uid, self.lease.gid, read_capability=private, own_proc=True)
        return [*wrapper, sys.executable, "-s", "-m", "autograder.sandbox.kernel_child",
                json.dumps(self.policy()), connection_file, str(self.work)]

    def stderr(self) -> int:
        """A file for what the kernel process writes outside the notebook (why it could not start)."""
        if self._stderr_file is not None:  # the kernel before a restart
            self._stderr_file.close()
        self._stderr_file = open(self.root / "stderr", "ab")  # noqa: SIM115 - closed in ``close``
        return self._stderr_file.fileno()

    def hand_over(self, path: Path) -> None:
        """Give the kernel's uid a file the grader wrote in its folder (the connection file)."""
        os.chown(path, self.lease.uid, self.lease.gid)
        os.chmod(path, 0o400)

    def kill_leftovers(self) -> None:
        """SIGKILL every process that still runs as the kernel's uid, and wait for them."""
        left = []
        for process in psutil.process_iter(["uids", "status"]):
            with suppress(psutil.Error):
                ids = process.info["uids"]
                # A zombie is dead already; its uid is leased again only once it is reaped (``uids``).
                if ids and ids.real == self.lease.uid and process.info["status"] != psutil.STATUS_ZOMBIE:
                    process.kill()
                    left.append(process)
        psutil.wait_procs(left, timeout=5)

    def _close_stderr(self) -> None:
        if self._stderr_file is not None:
            self._stderr_file.close()

    def _unmount(self) -> None:
        if self.mounted:
            _unmount(self.space)  # everything the notebook wrote goes with it
            self.mounted = False

    def close(self) -> None:
        """Kill what is left, unmount and remove the folders, give the uid back; then raise the first failure.

        Every step is tried even when one before it failed (a leftover that cannot be listed, an unmount
        refused), so one failure does not leave the rest behind. The uid is given back only once the
        kernel's files are unmounted: else the next kernel leased that uid would own them. (It is given back
        when the grader ends, and the next grader's ``sweep_stale_cages`` unmounts them.) A second call does
        nothing: once given back, the uid may be another kernel's, whose processes must not be killed.
        """
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        failures: list[BaseException] = []
        for step in (self.kill_leftovers, self._close_stderr, self._unmount):
            try:
                step()
            except BaseException as failure:  # raised below, once the other steps are done
                failures.append(failure)
        if not self.mounted:
            shutil.rmtree(self.root, ignore_errors=True)
            self.lease.release()
        if failures:
            raise failures[0]


class ConfinedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in a ``KernelCage``; it refuses to start one it cannot confine,
    unless the TA set BACKPROP_UNSAFE_UNCONFINED_KERNELS=1."""

    cage: KernelCage | None = None

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if unsafe_opted_in() and missing_protections():
            self.log.warning("Running a notebook UNCONFINED (%s=1)", UNSAFE_OPT_IN)
            self.transport = "tcp"
            return await super()._async_pre_start_kernel(**kw)
        refuse_unless_confinable()
        if self.cage is None:  # a restart keeps the cage: same folders, same channel
            self.cage = KernelCage.open(Path(kw.get("cwd") or os.getcwd()))
            weakref.finalize(self, self.cage.close)  # a manager dropped without a cleanup closes it too
            self.connection_file = str(self.cage.channel / "connection.json")
            self.ip = str(self.cage.channel / "kernel")
        else:
            self.cage.kill_leftovers()
        kw.update(cwd=str(self.cage.home), env=self.cage.environment(), stdout=subprocess.DEVNULL,
                  stderr=self.cage.stderr())
        _, kw = await super()._async_pre_start_kernel(**kw)
        self.cage.hand_over(Path(self.connection_file))
        return self.cage.command(self.connection_file), kw

    def _close_cage(self) -> None:
        if self.cage is not None:
            cage, self.cage = self.cage, None
            cage.close()

    async def _async_start_kernel(self, **kw: Any) -> None:
        """Start (or restart) the kernel; if that fails, close its cage: nbclient cleans up nothing after a
        start that raised, so the cage would stay until the grader exits."""
        try:
            await super()._async_start_kernel(**kw)
        except BaseException:
            self._close_cage()
            raise

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart:
                self._close_cage()

    # ``AsyncKernelManager`` binds these names to ``KernelManager``'s functions themselves, which skips the
    # overrides above: nbclient calls ``start_kernel``, and ``cleanup_resources`` alone (no shutdown) for a
    # kernel that is already dead.
    start_kernel = _async_start_kernel
    cleanup_resources = _async_cleanup_resources
