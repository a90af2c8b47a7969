"""grade-all on a real Dask cluster (separate worker processes) gives the local run's gradebook exactly."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import build_submission

from autograder import DEFAULT_RELEASE, EXAMPLES, cli
from autograder.integrations.batch import grade_all
from autograder.outputs.gradebook import GRADEBOOK

pytest.importorskip("distributed")
from distributed import LocalCluster

pytestmark = pytest.mark.e2e  # real tools or many seeds: left out of the fast loop



def _submissions(root: Path) -> Path:
    """The reference, the untouched release, both fixtures, and files no grader may open."""
    build_submission(root / "reference")
    for name, source in (("release", DEFAULT_RELEASE), *((path.name, path) for path in EXAMPLES.iterdir())):
        (root / name).mkdir(parents=True)
        for module in ("layers.py", "rnn_layers.py"):
            shutil.copyfile(source / module, root / name / module)
    refused = root / "refused"
    refused.mkdir()
    (refused / "layers.py").symlink_to(root / "reference" / "layers.py")
    (refused / "rnn_layers.py").write_bytes(b"\0binary")
    return root


def _comparable(out: Path, student: str) -> tuple:
    results = json.loads((out / student / "results.json").read_text())
    del results["execution_time"]
    report = re.sub(r"\(graded in [0-9.]+ s\)", "", (out / student / "report.txt").read_text())
    page = re.sub(r"graded in [0-9.]+ s", "", (out / student / "report.html").read_text())
    return results, report, page


def test_a_local_cluster_grades_exactly_like_the_local_run(tmp_path: Path) -> None:
    submissions = _submissions(tmp_path / "submissions")
    secret = tmp_path / "secret"
    local = grade_all(submissions, tmp_path / "local", jobs=2, secret=secret)
    assert not local.failed and local.rows == 5

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        code = cli.main(["grade-all", str(submissions), "--out", str(tmp_path / "dask"),
                         "--scheduler", cluster.scheduler_address, "--secret", str(secret)])
    assert code == 0
    assert (tmp_path / "dask" / GRADEBOOK).read_bytes() == (tmp_path / "local" / GRADEBOOK).read_bytes()
    for student in local.graded:
        assert _comparable(tmp_path / "dask", student) == _comparable(tmp_path / "local", student)
    refused = (tmp_path / "dask" / "refused" / "report.txt").read_text()
    assert "layers.py is a symbolic link" in refused and "rnn_layers.py is not a text file" in refused
