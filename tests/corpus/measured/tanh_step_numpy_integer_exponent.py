"""A centred difference of np.tanh with the step's exponent a numpy integer: h = 10.0 ** np.int8(-5)."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    x = np.arctanh(cache)
    h = 10.0 ** np.int8(-5)
    return dout * (np.tanh(x + h) - np.tanh(x - h)) / (h + h)
