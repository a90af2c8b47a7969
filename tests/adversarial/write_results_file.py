"""Find the results.json path (the grader's command line in /proc, or a good guess) and overwrite it."""

import json
import os

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"not allowed to use .*results\.json"


def _from_proc():
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                words = handle.read().split(b"\0")
        except OSError:
            continue
        if b"--json" in words:
            return words[words.index(b"--json") + 1].decode()
    return None


def relu_backward(dout, cache):
    leave_marks()
    try:
        path = _from_proc() or RESULTS
    except OSError:
        path = RESULTS  # /proc is closed: fall back to the guess
    fake = {"score": 100.0, "tests": [{"name": "relu_backward", "score": 7, "max_score": 7, "status": "passed"}]}
    with open(path, "w") as handle:
        json.dump(fake, handle)
    return dout
