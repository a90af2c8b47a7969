"""A centred difference of np.tanh with the step a power of two: h = np.ldexp(1.0, -17)."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    x = np.arctanh(cache)
    h = np.ldexp(1.0, -17)
    return dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
