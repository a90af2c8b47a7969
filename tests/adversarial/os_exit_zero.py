"""End the process with os._exit(0): no exception, no traceback, exit code 0."""

import os

TARGET = "layers"
FUNCTIONS = "softmax_loss"
EXPECT = r"ended the process running it \(exit code 0\)"


def softmax_loss(x, y):
    leave_marks()
    os._exit(0)
