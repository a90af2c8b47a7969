"""tanh_backward divides the difference by a list holding the step, / [2 * h]."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    h = 1e-5
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / [2 * h]
    return dx.reshape(np.shape(dout))
