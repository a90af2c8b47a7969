"""Make a symlink in its own folder to the solutions, to read them through it (or have the grader follow it)."""

import os

import autograder

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"not allowed to use"


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    kit = os.path.dirname(os.path.dirname(autograder.__file__))
    os.symlink(os.path.join(kit, "solutions"), "solutions")
    with open("solutions/backprop/layers.py") as handle:
        handle.read()
    raise RuntimeError("read the solutions through a symlink")
