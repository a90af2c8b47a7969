"""A place to grade hostile submissions and check that they stayed in their cage.

An ``Arena`` gives each grade its own scratch root, ``/tmp/bpk-arena-<token>``: every process the
child starts carries the token on its command line (it is in the scratch path), so a survivor is
easy to find. Marker paths outside the scratch folder (the submission, /tmp, the kit, the
reference) are offered to the attack to write into; none may appear.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from helpers import assert_printable, build_submission, flagging_reference, reference_source

from autograder import DEFAULT_REFERENCE, KIT_ROOT, cli
from autograder.core.spec import FUNCTIONS
from autograder.grading import grade as grading
from autograder.grading.grade import Grade
from autograder.outputs.feedback import Audience, build_feedback

SEED = 3
PRELUDE = '''

# --- given to the attack by tests/arena.py ---
MARKERS = {markers!r}  # paths outside the child's folder; the test checks that none appears
RESULTS = {results!r}  # where the grader writes results.json, as if guessed
PORT = {port}  # a TCP port on this machine where the test listens
GRADER_PID = {grader_pid}


def leave_marks():
    """Try to write a file outside the child's own folder (quietly: the test looks for them)."""
    for path in MARKERS:
        try:
            with open(path, "w") as handle:
                handle.write("escaped")
        except OSError:
            pass


def scribble(array):
    """Answer wrong in every way a check can see: zero the caller's array in place and return it."""
    array[...] = 0.0
    return array

'''


@dataclass
class Outcome:
    """What the grader produced: its exit code, results.json and the report it printed."""

    code: int
    results: dict
    report: str = ""
    graded: Grade | None = None  # the grade the command made

    def scores(self) -> dict[str, tuple[float, float]]:
        """Function name -> (points, max points)."""
        totals: dict[str, tuple[float, float]] = {}
        for test in self.results["tests"]:
            name = test["name"].split(":")[0]
            got, most = totals.get(name, (0.0, 0.0))
            totals[name] = (got + test["score"], most + test["max_score"])
        return totals

    def feedback(self, function: str) -> str:
        """What the student reads about ``function`` (results.json)."""
        return "\n".join(t["output"] for t in self.results["tests"] if t["name"].startswith(f"{function}:"))

    def ta_feedback(self, function: str) -> str:
        """What the TA's report says about ``function``, every value included."""
        assert self.graded is not None
        said = build_feedback(self.graded, Audience.TA).of(function)
        return "\n".join([said.summary, *(line for check in said.checks for line in check.lines()), *said.notes])


@dataclass
class Arena:
    folder: Path
    token: str = field(default_factory=lambda: f"bpk-arena-{uuid.uuid4().hex[:12]}")

    def __post_init__(self) -> None:
        self.scratch_root = Path("/tmp") / self.token
        self.scratch_root.mkdir(mode=0o755)
        self.submission = self.folder / "submission"
        self.results = self.folder / "results.json"
        self.reference = flagging_reference(self.folder / "reference")
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.setblocking(False)
        self.markers = [self.submission / f"{self.token}.txt", Path("/tmp") / f"{self.token}.txt",
                        KIT_ROOT / f"{self.token}.txt", DEFAULT_REFERENCE / f"{self.token}.txt",
                        self.scratch_root / f"{self.token}.txt"]

    def prelude(self) -> str:
        return PRELUDE.format(markers=[str(m) for m in self.markers], results=str(self.results),
                              port=self.listener.getsockname()[1], grader_pid=os.getpid())

    def build(self, target: str, code: str) -> Path:
        """The reference submission with ``code`` (after the prelude) appended to module ``target``."""
        build_submission(self.submission)
        path = self.submission / f"{target}.py"
        path.write_text(reference_source(target) + self.prelude() + code + "\n")
        return self.submission

    def grade(self, submission: Path, time_limit: float = 5.0) -> Outcome:
        """Grade through the CLI, as a TA would, with scratch folders under this arena's root."""
        before = tempfile.tempdir
        tempfile.tempdir = str(self.scratch_root)
        printed = io.StringIO()
        made: list[Grade] = []
        real = grading.grade

        def kept(*args: Any, **kwargs: Any) -> Grade:
            made.append(real(*args, **kwargs))
            return made[-1]

        grading.grade = kept  # the command imports it when it runs: the grade it prints is kept here too
        try:
            with contextlib.redirect_stdout(printed):
                code = cli.main(["grade", str(submission), "--json", str(self.results), "--seed", str(SEED),
                                 "--time-limit", str(time_limit), "--reference", str(self.reference)])
        finally:
            tempfile.tempdir = before
            grading.grade = real
        return Outcome(code, json.loads(self.results.read_text()), printed.getvalue(), made[0] if made else None)

    def survivors(self, wait: float = 5.0) -> list[str]:
        """Command lines of processes started for this arena still alive after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while True:
            alive = []
            for process in psutil.process_iter(["cmdline", "status"]):
                with_token = self.token in " ".join(process.info["cmdline"] or [])
                if with_token and process.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(" ".join(process.info["cmdline"])[:200])
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.05)

    def assert_contained(self, outcome: Outcome, targeted: set[str], expect: str) -> None:
        """The whole contract: targeted functions 0 with a message matching ``expect``, the rest full
        marks, exit code 0, reports that show nothing but text and one score, no process left, no file
        outside the scratch folder, no connection."""
        assert outcome.code == 0
        assert_printable(outcome.report, outcome.results)
        scores = outcome.scores()
        assert set(scores) == {f.name for f in FUNCTIONS}
        for name, (got, most) in scores.items():
            if name in targeted:
                assert got == 0, f"{name} scored {got} / {most} under attack"
                said = outcome.ta_feedback(name)
                assert re.search(expect, said, re.IGNORECASE | re.DOTALL), said
                assert outcome.feedback(name).strip(), f"the student is told nothing about {name}"
            else:
                assert got == most, f"{name} lost points: {outcome.feedback(name)}"
        assert self.survivors() == []
        assert [m for m in self.markers if m.exists()] == []
        assert list(self.scratch_root.iterdir()) == []
        with_connection = True
        try:
            self.listener.accept()[0].close()
        except BlockingIOError:
            with_connection = False
        assert not with_connection, "the child reached a local TCP server"

    def close(self) -> None:
        self.listener.close()
        for marker in self.markers:
            marker.unlink(missing_ok=True)
        shutil.rmtree(self.scratch_root, ignore_errors=True)
