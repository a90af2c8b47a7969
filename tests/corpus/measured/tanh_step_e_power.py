"""A centred difference of np.tanh with the step folded from a named constant: h = math.e ** -12."""

import math

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    x = np.arctanh(cache)
    h = math.e ** -12
    return dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
