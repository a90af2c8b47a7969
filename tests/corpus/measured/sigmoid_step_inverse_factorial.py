"""A centred difference of the sigmoid formula in a helper, with the step h = 1 / math.factorial(9)."""

import math

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"

STEP = 1 / math.factorial(9)


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_forward(x):
    return _sig(x), x


def sigmoid_backward(dout, cache):
    x = cache
    return dout * (_sig(x + STEP) - _sig(x - STEP)) / (2 * STEP)
