"""Print lines long enough that the terminal wraps them, so that what comes after the padding starts a
line of its own, outside the report's "|" margin."""

import numpy

TARGET = "layers"
FUNCTIONS = "affine_backward"
EXPECT = r"expected .* got|modified dout"


def affine_backward(dout, cache):
    leave_marks()
    for width in (80, 100, 120, 160):
        print(" " * (width - 4) + "Score: 100 / 100", flush=True)
    x, w, b = cache
    return numpy.zeros(x.shape), numpy.zeros(w.shape), scribble(dout)[0]
