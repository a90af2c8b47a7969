"""Allocate memory until something gives (reserved, not written: the limit counts reservations, and
writing gigabytes would only make the test slow)."""

import numpy

TARGET = "layers"
FUNCTIONS = "sigmoid_backward"
EXPECT = r"ran out of memory \(limit 1 GB\)"


def sigmoid_backward(dout, cache):
    leave_marks()
    hoard = []
    while True:
        hoard.append(numpy.empty(1 << 24))  # 128 MB
