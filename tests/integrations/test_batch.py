"""grade-all: one results.json and report per student, a gradebook, resumable, never stopped by a submission."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from helpers import build_submission, reference_source

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE, EXAMPLES, KIT_ROOT, cli
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade
from autograder.integrations import batch
from autograder.integrations.batch import grade_all
from autograder.integrations.dask_cluster import pack_submission, unpack_submission
from autograder.integrations.seeds import SECRET_NAME, course_seed, read_secret, student_seed, submission_digest
from autograder.outputs.gradebook import COLUMNS, GRADEBOOK, INCOMPLETE, write_gradebook
from autograder.sandbox.scratch import MAX_SOURCE_BYTES, SubmissionError, read_source

TIME_LIMIT = "3"

# Kills the process that runs it, then another function never returns: each costs its own function only.
HOSTILE = '''

def relu_backward(dout, cache):
    import os, signal
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def sigmoid_backward(dout, cache):
    while True:
        pass
'''


def _copy_modules(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("layers.py", "rnn_layers.py"):
        shutil.copyfile(source / name, folder / name)
    return folder


def _submissions(root: Path) -> Path:
    """reference, release, a fixture, a hostile one, a broken one and an empty folder."""
    submissions = root / "submissions"
    build_submission(submissions / "reference")
    _copy_modules(DEFAULT_RELEASE, submissions / "release")
    _copy_modules(EXAMPLES / "three_classic_slips", submissions / "slips")
    hostile = build_submission(submissions / "hostile")
    (hostile / "layers.py").write_text(reference_source("layers") + HOSTILE)
    broken = submissions / "broken"
    (broken / "layers.py").mkdir(parents=True)  # a folder where a module should be
    (broken / "rnn_layers.py").write_bytes(b"\0\x01 not python")
    (submissions / "empty").mkdir()
    (submissions / ".hidden").mkdir()  # not a student
    (submissions / "notes.txt").write_text("not a student either")
    return submissions


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade-all", *args], cwd=KIT_ROOT,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, **kwargs)


def _run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / GRADEBOOK).open() as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames) == COLUMNS
        return {row["student"]: row for row in reader}


@pytest.mark.e2e  # grade-all over a class
def test_grade_all_grades_everyone_and_no_submission_stops_it(tmp_path: Path) -> None:
    submissions, out = _submissions(tmp_path), tmp_path / "out"
    process = _run(str(submissions), "--out", str(out), "-j", "2", "--time-limit", TIME_LIMIT)
    assert process.returncode == 0, process.stdout + process.stderr
    students = ["broken", "empty", "hostile", "reference", "release", "slips"]
    assert "graded 6, already done 0, failed 0" in process.stdout
    assert sorted(path.name for path in out.iterdir() if path.is_dir()) == students

    book = _gradebook(out)
    assert list(book) == students
    secret = read_secret(out / SECRET_NAME)
    assert (out / SECRET_NAME).stat().st_mode & 0o077 == 0
    for student in students:
        results = json.loads((out / student / "results.json").read_text())
        seed = student_seed(secret, student, submission=submission_digest(submissions / student))
        assert results["extra_data"]["seed"] == seed == int(book[student]["seed"])
        for function in FUNCTIONS:
            points = sum(t["score"] for t in results["tests"] if t["tags"][0] == function.name)
            assert float(book[student][function.name]) == points
        assert float(book[student]["total"]) == results["score"]
        assert f"Score: {results['score']:g} / 100" in (out / student / "report.txt").read_text()
        assert f"{results['score']:g} / 100" in (out / student / batch.HTML_REPORT).read_text()
        assert sorted(path.name for path in (out / student).iterdir()) == ["report.html", "report.txt",
                                                                            "results.json"]

    assert book["reference"]["total"] == "100" and book["release"]["total"] == "0"
    assert book["empty"]["total"] == "0" and book["broken"]["total"] == "0"
    hostile = book["hostile"]
    assert hostile["relu_backward"] == "0" and hostile["sigmoid_backward"] == "0"
    assert all(hostile[f.name] == book["reference"][f.name] for f in FUNCTIONS
               if f.name not in ("relu_backward", "sigmoid_backward"))
    # The same grade as `grade` with the recorded seed.
    slips = grade(submissions / "slips", DEFAULT_REFERENCE, int(book["slips"]["seed"]))
    assert float(book["slips"]["total"]) == slips.score < 100
    assert not list(out.rglob("*.partial"))


@pytest.mark.e2e  # grade-all over a class
def test_a_rerun_grades_only_what_is_missing_and_cleans_leftovers(tmp_path: Path) -> None:
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    build_submission(submissions / "ada")
    _copy_modules(EXAMPLES / "three_classic_slips", submissions / "bob")
    first = grade_all(submissions, out, jobs=2)
    assert sorted(first.graded) == ["ada", "bob"] and not first.failed and first.rows == 2
    before = _gradebook(out)

    kept = out / "ada" / "results.json"
    kept_state = (kept.stat().st_ino, kept.stat().st_mtime_ns, kept.read_bytes())
    (out / "bob" / "results.json").unlink()  # as if killed before bob's result was renamed into place
    (out / "bob" / ".results.json.x1y2.partial").write_text('{"tests": [')
    (out / f".{GRADEBOOK}.z3.partial").write_text("student,")
    (out / "carol").mkdir()
    (out / "carol" / "results.json").write_text("{not json")  # not the grader's: graded again
    _copy_modules(EXAMPLES / "saturation_and_syntax", submissions / "carol" / "backprop")  # nbgrader's shape

    second = grade_all(submissions, out, jobs=2)
    assert sorted(second.graded) == ["bob", "carol"] and second.already_done == ["ada"]
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns, kept.read_bytes()) == kept_state
    assert not list(out.rglob("*.partial"))
    after = _gradebook(out)
    assert list(after) == ["ada", "bob", "carol"]
    assert after["bob"] == before["bob"]  # same secret, same seed, same grade


@pytest.mark.e2e  # grade-all over a class
def test_a_killed_run_leaves_whole_files_and_the_next_run_finishes(tmp_path: Path) -> None:
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for student in ("a", "b", "c", "d", "e"):
        build_submission(submissions / student)
    scratch = tmp_path / "scratch"  # the killed run's sandbox folders land here, not in /tmp
    scratch.mkdir()
    command = [sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out), "-j", "1"]
    process = subprocess.Popen(command, cwd=KIT_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 120
    while not list(out.glob("*/results.json")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):  # it may have finished: then there is nothing to kill
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    done = sorted(path.parent.name for path in out.glob("*/results.json"))
    assert done, "the first run wrote nothing before it was killed"
    for student in done:  # whatever moment the kill came, every result is whole
        assert json.loads((out / student / "results.json").read_text())["score"] == 100
    rerun = _run(str(submissions), "--out", str(out), "-j", "2")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"graded {5 - len(done)}, already done {len(done)}, failed 0" in rerun.stdout
    book = _gradebook(out)
    assert list(book) == ["a", "b", "c", "d", "e"] and {row["total"] for row in book.values()} == {"100"}


@pytest.mark.e2e  # grade-all over a class
def test_a_batch_killed_alone_takes_its_workers_and_their_templates_with_it(tmp_path: Path) -> None:
    """SIGKILL to grade-all's own pid (the OOM killer, ``kill -9 PID``): its workers wait for work on a queue
    whose pipe they hold both ends of, so nothing but the parent-death signal ends them."""
    submissions = tmp_path / "submissions"
    for student in "abcdefgh":
        build_submission(submissions / student)
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out",
                                str(tmp_path / "out"), "-j", "2"], cwd=KIT_ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "TMPDIR": str(tmp_path)})
    grader, deadline = psutil.Process(process.pid), time.monotonic() + 120

    def workers() -> list[psutil.Process]:
        found = []
        for child in grader.children():
            with contextlib.suppress(psutil.Error):  # the pool's helpers come and go
                if "spawn_main" in " ".join(child.cmdline()) and child.children():  # a worker and its template
                    found.append(child)
        return found

    while len(workers()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    family = grader.children(recursive=True)
    assert len(workers()) >= 2, "no workers started"
    process.kill()
    process.wait()
    _, alive = psutil.wait_procs(family, timeout=30)
    assert not [member for member in alive if member.status() != psutil.STATUS_ZOMBIE], alive


def test_bad_arguments_and_a_broken_reference_exit_2(tmp_path: Path) -> None:
    assert _run(str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")).returncode == 2
    assert _run(str(tmp_path), "--out", str(tmp_path / "out"), "-j", "0").returncode == 2
    (tmp_path / "submissions").mkdir()
    process = _run(str(tmp_path / "submissions"), "--out", str(tmp_path / "out"), "--reference", str(tmp_path))
    assert process.returncode == 2 and "rubric" in process.stderr


def test_packed_submissions_are_refused_with_the_same_messages(tmp_path: Path) -> None:
    original, copy = tmp_path / "original", tmp_path / "copy"
    original.mkdir()
    copy.mkdir()
    (original / "layers.py").symlink_to(DEFAULT_REFERENCE / "layers.py")
    with (original / "rnn_layers.py").open("wb") as file:
        file.truncate(MAX_SOURCE_BYTES + 1)
    unpack_submission(pack_submission(original), copy)
    for name in ("layers.py", "rnn_layers.py"):
        messages = []
        for folder in (original, copy):
            try:
                read_source(folder / name)
            except SubmissionError as error:
                messages.append(str(error))
        assert len(messages) == 2 and messages[0] == messages[1]

    (original / "layers.py").unlink()
    (original / "layers.py").mkdir()
    (original / "rnn_layers.py").write_text("x = 1\n")
    shutil.rmtree(copy)
    copy.mkdir()
    unpack_submission(pack_submission(original), copy)
    assert (copy / "layers.py").is_dir() and (copy / "rnn_layers.py").read_text() == "x = 1\n"


def test_seeds_are_nbgraders_under_the_same_secret(tmp_path: Path) -> None:
    secret = tmp_path / SECRET_NAME
    key = read_secret(secret)
    for student in ("ada", "bob", "student-42"):
        folder = build_submission(tmp_path / student)
        digest = submission_digest(folder)
        assert student_seed(key, student, submission=digest) == course_seed(secret, "backprop", student, folder)


def test_each_new_submission_meets_new_hidden_cases_and_the_same_files_the_same(tmp_path: Path) -> None:
    """What a submission's feedback lets its code spell out is of cases no later submission meets."""
    key = read_secret(tmp_path / SECRET_NAME)
    folder = build_submission(tmp_path / "ada")
    first = student_seed(key, "ada", submission=submission_digest(folder))
    assert student_seed(key, "ada", submission=submission_digest(folder)) == first  # a regrade: the same cases
    copy = build_submission(tmp_path / "copy")
    assert submission_digest(copy) == submission_digest(folder)
    with (folder / "layers.py").open("a") as file:
        file.write("# one comment more\n")
    assert student_seed(key, "ada", submission=submission_digest(folder)) != first
    assert student_seed(key, "bob", submission=submission_digest(copy)) != student_seed(
        key, "ada", submission=submission_digest(copy))  # the same files, another student: other cases


def test_reference_copies_of_dead_workers_are_removed(tmp_path: Path) -> None:
    """A Dask worker stopped by SIGTERM leaves its reference copy; the next worker removes it, and
    never a living worker's."""
    from autograder.integrations.dask_cluster import REFERENCE_PREFIX, remove_stale_references

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{REFERENCE_PREFIX}{int(dead.stdout)}-abc"
    living = tmp_path / f"{REFERENCE_PREFIX}{os.getpid()}-def"
    for folder in (stale, living):
        folder.mkdir()
        (folder / "layers.py").write_text("secret")
    remove_stale_references(tmp_path)
    assert not stale.exists() and living.exists()


def test_entries_that_are_not_students_are_named_and_cost_no_one_else(tmp_path: Path) -> None:
    """A folder name that is not UTF-8 or does not show as itself, a symbolic link, a file, and a
    folder named like grade-all's own files are each reported, not graded; everyone else is."""
    submissions = tmp_path / "submissions"
    build_submission(submissions / "alice")
    build_submission(Path(os.fsdecode(bytes(submissions) + b"/z\xff")))
    build_submission(submissions / "bob\u200b")
    build_submission(submissions / "gradebook.csv")
    (submissions / "mallory").symlink_to(submissions / "alice")
    (submissions / "carol.zip").write_bytes(b"PK")
    out = tmp_path / "out"
    done = _run(str(submissions), "--out", str(out), "-j", "1")  # entries are sorted before any is graded
    assert done.returncode == 0, done.stdout + done.stderr
    assert "graded 1, already done 0, failed 0, not students 5;" in done.stdout
    for shown in ("mallory: it is a symbolic link", "carol.zip: it is a file",
                  "gradebook.csv: its name is that of a file the kit writes", "bob: its name has characters",
                  "z: its name has characters"):
        assert f"not a student: {shown}" in done.stdout, done.stdout
    with open(out / GRADEBOOK) as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["student"], row["total"]) for row in rows] == [("alice", "100")]


def test_a_student_named_like_a_class_file_is_not_graded_and_the_class_files_are_written(tmp_path: Path) -> None:
    """Folders named class.json, class.html, canvas.csv and moodle.csv would stand where class-report and
    export write: they are reported, not graded, and the class report and the export are written."""
    submissions = tmp_path / "submissions"
    build_submission(submissions / "alice")
    for name in ("class.json", "class.html", "canvas.csv", "moodle.csv"):
        build_submission(submissions / name)
    out = tmp_path / "out"
    done = _run(str(submissions), "--out", str(out), "-j", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "graded 1, already done 0, failed 0, not students 4;" in done.stdout
    assert "not a student: class.json: its name is that of a file the kit writes in the output folder" in done.stdout
    assert (out / "class.json").is_file() and (out / "class.html").is_file(), done.stderr
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,canvas_id\nalice,Alice,7\n")
    exported = _run_command("export", str(out), "--format", "canvas", "--roster", str(roster))
    assert exported.returncode == 0, exported.stderr
    assert (out / "canvas.csv").read_text().splitlines()[1].endswith(",100")


def test_a_class_file_that_is_a_folder_stops_class_report_in_one_line(tmp_path: Path) -> None:
    """A folder graded before those names were kept: class-report says what is in the way, writes nothing."""
    submissions = tmp_path / "submissions"
    build_submission(submissions / "alice")
    out = tmp_path / "out"
    assert _run(str(submissions), "--out", str(out), "-j", "1").returncode == 0
    (out / "class.json").unlink()
    (out / "class.json").mkdir()
    shown = _run_command("class-report", str(out))
    assert shown.returncode == 2
    assert shown.stderr.count("\n") == 1 and "class.json is a folder, where the class report writes" in shown.stderr
    assert not [path for path in out.iterdir() if path.name.endswith(".partial")]


@pytest.mark.parametrize("inside", ["same", "inside", "around"])
def test_the_output_folder_is_never_one_students_can_write_to(tmp_path: Path, inside: str) -> None:
    """Results and the grading secret in the output folder mark students as done: a student's folder
    must not be able to hold them, so --out inside (or equal to, or around) the submissions is refused."""
    submissions = tmp_path / "submissions"
    build_submission(submissions / "alice")
    planted = submissions / "graded"
    (planted / "bob").mkdir(parents=True)
    (planted / "bob" / "results.json").write_text('{"score": 100, "tests": [], "extra_data": {"seed": 7}}')
    (planted / SECRET_NAME).write_text("chosen-by-a-student\n")
    out = {"same": submissions, "inside": planted, "around": tmp_path}[inside]
    done = _run(str(submissions), "--out", str(out), "-j", "1")
    assert done.returncode == 2
    assert "must be outside" in done.stderr
    assert not (out / GRADEBOOK).exists()


# ---------------------------------------------------------------------------------------------
# Stopping a batch (Ctrl-C, SIGTERM) and the gradebook of a class not wholly graded

def _scratch_processes(scratch: Path) -> list[str]:
    """Processes whose command line names the folder the sandboxed children were made in."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        with contextlib.suppress(psutil.Error):
            line = " ".join(process.info["cmdline"] or [])
            if process.info["status"] != psutil.STATUS_ZOMBIE and str(scratch) in line:
                found.append(f"{process.pid}: {line}")
    return found


@pytest.mark.e2e  # grade-all over a class, stopped and resumed
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_ends_at_once_says_how_to_finish_and_writes_no_gradebook(tmp_path: Path, signum: int) -> None:
    students = [f"s{number}" for number in range(8)]
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for student in students:
        build_submission(submissions / student)
    scratch = tmp_path / "scratch"  # the sandbox folders land here: their processes are found by it
    scratch.mkdir()
    command = [sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out), "-j", "2"]
    process = subprocess.Popen(command, cwd=KIT_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(scratch)})
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*/results.json")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "grade-all ended before it could be stopped"
        process.send_signal(signum)  # to grade-all alone, as kill does; Ctrl-C also reaches its group
        sent = time.monotonic()
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 128 + signum, stdout + stderr
    assert took < 15, f"took {took:.1f} s to stop"
    assert "Traceback" not in stderr, stderr
    assert not _scratch_processes(scratch)

    done = sorted(path.parent.name for path in out.glob("*/results.json"))
    assert 0 < len(done) < len(students)
    how = "Ctrl-C (SIGINT)" if signum == signal.SIGINT else "SIGTERM"
    assert (f"stopped by {how}: graded {len(done)} in this run, {len(done)} of 8 students in all, "
            f"{8 - len(done)} remaining") in stderr, stderr
    assert f"gradebook.csv not written: {8 - len(done)} of 8 students have no result yet" in stderr
    assert not (out / GRADEBOOK).exists()
    with (out / INCOMPLETE).open() as file:
        assert [row["student"] for row in csv.DictReader(file)] == done
    resume = stderr.strip().splitlines()[-1]
    assert resume.startswith("to finish, run: "), stderr
    assert shlex.split(resume.removeprefix("to finish, run: ")) == command

    rerun = subprocess.run(command, cwd=KIT_ROOT, capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"graded {8 - len(done)}, already done {len(done)}, failed 0; {out / GRADEBOOK} lists 8" in rerun.stdout
    book = _gradebook(out)
    assert list(book) == students and {row["total"] for row in book.values()} == {"100"}
    assert not (out / INCOMPLETE).exists()


def test_stopping_kills_the_children_of_the_grades_under_way_until_they_end() -> None:
    """A grade whose child is killed starts the next function's child: each one is killed, the grade
    ends (its result thrown away), and the ones not started never start."""
    started: list[int] = []

    def grade_like_the_sandbox() -> str:
        for _ in range(5):  # one child per function still to run, each until it ends
            child = subprocess.Popen(["sleep", "60"], start_new_session=True)
            started.append(child.pid)
            child.wait()
        return "thrown away"

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = {pool.submit(grade_like_the_sandbox): "a", pool.submit(grade_like_the_sandbox): "b"}
        while not started:
            time.sleep(0.01)
        begun = time.monotonic()
        batch._stop(running)  # type: ignore[arg-type]
        assert time.monotonic() - begun < 10
    first, second = running
    assert first.done() and second.cancelled()
    assert len(started) == 5 and not any(psutil.pid_exists(pid) and psutil.Process(pid).status()
                                        != psutil.STATUS_ZOMBIE for pid in started)


def _result(out: Path, student: str, score: float = 100) -> None:
    (out / student).mkdir(parents=True)
    (out / student / "results.json").write_text(json.dumps({"score": score, "tests": [], "extra_data": {"seed": 7}}))


def test_only_a_whole_class_gets_a_gradebook_csv(tmp_path: Path) -> None:
    _result(tmp_path, "ada")
    (tmp_path / GRADEBOOK).write_text("student,total\nstale,100\n")
    assert write_gradebook(tmp_path, complete=False) == (tmp_path / INCOMPLETE, 1)
    assert not (tmp_path / GRADEBOOK).exists()
    _result(tmp_path, "bob", 50)
    assert write_gradebook(tmp_path) == (tmp_path / GRADEBOOK, 2)
    assert not (tmp_path / INCOMPLETE).exists()
    assert [row["total"] for row in _gradebook(tmp_path).values()] == ["100", "50"]


def test_a_run_with_failed_students_writes_no_gradebook_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """The grader failing on students leaves them without a result: the gradebook says it is incomplete
    and the command says how to finish, as after Ctrl-C, but exits 1."""
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for student in ("ada", "bob"):
        build_submission(submissions / student)
    _result(out, "ada")  # done by an earlier run
    (out / GRADEBOOK).write_text("student,total\nada,100\n")  # that run's: bob is not in it

    def failing(folder: Path, *args, **kwargs):
        raise RuntimeError(f"the grader broke on {folder.name}")

    monkeypatch.setattr(batch, "grade", failing)
    monkeypatch.setattr(batch, "grade_with_probe", failing)  # with the class probe
    done = batch.grade_all(submissions, out, jobs=1)
    assert done.failed == {"bob": "RuntimeError: the grader broke on bob"} and done.remaining == ["bob"]
    assert not done.complete and not done.interrupted
    assert done.gradebook == out / INCOMPLETE and done.rows == 1 and not (out / GRADEBOOK).exists()

    args = cli.build_parser().parse_args(["grade-all", str(submissions), "--out", str(out), "-j", "1"])
    lines, to_stderr = cli.batch_summary(done, cli.resume_command(args))
    assert not to_stderr
    assert lines[0] == (f"graded 0, already done 1, failed 1; gradebook.csv not written: 1 of 2 students have no "
                        f"result yet ({out / INCOMPLETE} lists the 1 graded; it is not the class's gradebook)")
    assert lines[1] == "  not graded: bob: RuntimeError: the grader broke on bob (run again to retry)"
    assert lines[2] == f"to finish, run: {cli.resume_command(args)}"


def test_a_stop_just_after_a_result_is_written_counts_that_result(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing between a student's results.json and the run's bookkeeping: the summary counts
    what is on disk, so "graded in this run" and "of the class in all" agree."""
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    for student in ("ada", "bob"):
        build_submission(submissions / student)
    written = batch.write_outputs

    def write_then_stop(result, folder: Path, visibility, probe=None, language="en") -> None:
        written(result, folder, visibility, probe, language)
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "write_outputs", write_then_stop)
    done = batch.grade_all(submissions, out, jobs=1)
    assert done.interrupted == signal.SIGINT
    assert done.graded == ["ada"] and done.remaining == ["bob"] and done.gradebook == out / INCOMPLETE


def test_each_student_gets_both_reports_before_results_json(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """results.json is written last: its presence means every file of the student is there."""
    result = grade(build_submission(tmp_path / "ada"), DEFAULT_REFERENCE, 1, only=("relu_backward",))
    order = []
    written = batch.write_atomically

    def record(path: Path, data: str | bytes, mode: int | None = 0o644) -> None:
        order.append(path.name)
        written(path, data, mode)

    monkeypatch.setattr(batch, "write_atomically", record)
    batch.write_outputs(result, tmp_path / "out" / "ada", {})
    assert order == [batch.REPORT, batch.HTML_REPORT, batch.RESULTS]
    page = (tmp_path / "out" / "ada" / batch.HTML_REPORT).read_text()
    assert page.startswith("<!DOCTYPE html>") and "relu_backward" in page
    assert "Graded on hidden cases drawn for you" in page  # the student's page, not the TA's
    assert "seed" not in page


def test_the_summary_of_a_stopped_and_of_a_whole_run() -> None:
    stopped = batch.BatchResult(graded=["a", "b"], already_done=["c"], remaining=["d", "e"], students=5,
                                interrupted=signal.SIGINT, gradebook=Path("out") / INCOMPLETE, rows=3)
    lines, to_stderr = cli.batch_summary(stopped, "python -m autograder grade-all s --out out")
    assert to_stderr and lines == [
        "stopped by Ctrl-C (SIGINT): graded 2 in this run, 3 of 5 students in all, 2 remaining",
        f"gradebook.csv not written: 2 of 5 students have no result yet (out/{INCOMPLETE} lists the 3 graded; "
        "it is not the class's gradebook)",
        "to finish, run: python -m autograder grade-all s --out out"]
    whole = batch.BatchResult(graded=["a"], already_done=["b"], students=2, gradebook=Path("out") / GRADEBOOK, rows=2)
    assert cli.batch_summary(whole, "unused") == (["graded 1, already done 1, failed 0; out/gradebook.csv lists 2 "
                                                   "students"], False)


@pytest.mark.parametrize("options", [[], ["-j", "3", "--time-limit", "2.5", "--secret", "my secret"],
                                     ["--scheduler", "tcp://h:8786", "--reference", "ref dir"]])
def test_the_command_to_finish_is_the_same_command(options: list[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the folder it was started in: relative paths are the same ones."""
    monkeypatch.chdir(tmp_path)
    argv = ["grade-all", "class of 2025", "--out", str(tmp_path / "out"), *options]
    words = shlex.split(cli.resume_command(cli.build_parser().parse_args(argv)))
    assert words[:3] == ["cd", str(tmp_path), "&&"]
    command = words[3:]
    assert command[:3] == [sys.executable, "-m", "autograder"]
    assert cli.build_parser().parse_args(command[3:]) == cli.build_parser().parse_args(argv)
