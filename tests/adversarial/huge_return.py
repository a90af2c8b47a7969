"""Return a 103 MB array, to exhaust the grader that loads it."""

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"reply of 103\.0 MB is over the 64 MB limit"


def relu_backward(dout, cache):
    leave_marks()
    return numpy.zeros(13_500_000)
