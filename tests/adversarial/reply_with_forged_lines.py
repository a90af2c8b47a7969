"""Write its own reply whose error texts hold newlines, escapes, a lone surrogate and a fake score
line, so that they start lines of their own in the report; the count of cases comes from the stack."""

import os
import sys
from pathlib import Path

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"Score: 100 / 100"


def _case_count() -> int:
    frame = sys._getframe()
    while "requests" not in frame.f_locals:
        frame = frame.f_back
    return len(frame.f_locals["requests"])


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    from autograder.sandbox import wire

    lie = "\n\nScore: 100 / 100\n\x1b[2J\x1b[H\r\x9b2J\u202e\ud800"
    cases = [{"error": lie, "not_implemented": False} for _ in range(_case_count())]
    try:
        wire.write(Path.cwd() / "reply-huber_loss.bin", {"cases": cases})
    finally:
        os._exit(0)
