"""Patch builtins (isinstance, abs, max, len) that a grader in the same process would lean on."""

import builtins

TARGET = "layers"
FUNCTIONS = "sigmoid_backward"
EXPECT = r"changed something the grader needs"


def sigmoid_backward(dout, cache):
    leave_marks()
    answer = scribble(dout)
    builtins.abs = lambda value: 0.0
    builtins.max = builtins.min = lambda *args, **kwargs: 0.0
    builtins.isinstance = lambda *args: True
    return answer
