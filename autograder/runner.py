"""Run a submission's functions in a child process and collect its plain-data replies.

The parent never imports student code. The child answers one function at a time; if it dies or
runs past its time while on a function, that function (and only it) gets an error, and a fresh
child carries on with the rest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder import wire

SECONDS_PER_FUNCTION = 20.0
PRINTED_LIMIT = 2000  # characters of a submission's own output kept for the report


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _start(scratch: Path, request: dict[str, Any], functions: list[str], output) -> subprocess.Popen:
    wire.write(scratch / "request.npz", {**request, "functions": functions})
    kit_root = str(Path(__file__).resolve().parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": kit_root, "PYTHONHASHSEED": "0",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this machine's BLAS needs them to run safely
        if key in os.environ:
            env[key] = os.environ[key]
    return subprocess.Popen([sys.executable, "-m", "autograder.child", str(scratch)], cwd=scratch,
                            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)


def _failure(reason: str, count: int) -> dict[str, Any]:
    return {"cases": [{"error": reason, "not_implemented": False} for _ in range(count)]}


def _exit_reason(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the process running your code was killed by {name}"
    return f"your code ended the process running it (exit code {code})"


def run_module(module_path: Path, module: str, requests: dict[str, list[dict]],
               seconds_per_function: float = SECONDS_PER_FUNCTION) -> tuple[dict[str, dict], str]:
    """Run ``requests`` (function name -> case requests) against the module at ``module_path``.

    Returns (function name -> {"cases": [reply per case]}, what the code printed, truncated).
    """
    replies: dict[str, dict] = {}
    remaining = list(requests)
    with tempfile.TemporaryDirectory(prefix="grade-") as folder:
        scratch = Path(folder)
        output_path = scratch / "printed.txt"
        request = {"module_path": str(module_path.resolve()), "module": module, "requests": requests}
        with open(output_path, "wb") as output:
            while remaining:
                process = _start(scratch, request, remaining, output)
                deadline = time.monotonic() + seconds_per_function
                while remaining:
                    name = remaining[0]
                    reply_path = scratch / f"reply-{name}.npz"
                    if reply_path.exists():
                        try:
                            replies[name] = wire.read(reply_path)
                        except wire.WireError as error:
                            replies[name] = _failure(f"its reply could not be read ({error})", len(requests[name]))
                        remaining.pop(0)
                        deadline = time.monotonic() + seconds_per_function
                        continue
                    code = process.poll()
                    if code is not None and not reply_path.exists():
                        replies[name] = _failure(_exit_reason(code), len(requests[name]))
                        remaining.pop(0)
                        break
                    if time.monotonic() > deadline:
                        _kill_group(process)
                        replies[name] = _failure(f"it ran for more than {seconds_per_function:.0f} s and was stopped",
                                                 len(requests[name]))
                        remaining.pop(0)
                        break
                    time.sleep(0.005)
                _kill_group(process)
        printed = output_path.read_bytes()[:PRINTED_LIMIT].decode("utf-8", errors="replace")
    return replies, printed
