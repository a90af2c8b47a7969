"""Kill the grader (its process id is easy to guess or find), or its own process group."""

import os
import signal

TARGET = "layers"
FUNCTIONS = "clipped_square_loss"
EXPECT = r"ProcessLookupError|not allowed"


def clipped_square_loss(pred, target, delta=1.0):
    leave_marks()
    os.kill(GRADER_PID, signal.SIGKILL)
    raise RuntimeError("the grader should be dead")
