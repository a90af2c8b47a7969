"""Find the reference solution next to the grader's own package and use its answers."""

import os
import types

import autograder

TARGET = "layers"
FUNCTIONS = "affine_backward"
EXPECT = r"not allowed to use .*solutions"


def affine_backward(dout, cache):
    leave_marks()
    kit = os.path.dirname(os.path.dirname(autograder.__file__))
    with open(os.path.join(kit, "solutions", "backprop", "layers.py")) as handle:
        source = handle.read()
    reference = types.ModuleType("reference")
    exec(source, reference.__dict__)
    return reference.affine_backward(dout, cache)
