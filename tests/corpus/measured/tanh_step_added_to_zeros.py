"""tanh_backward's steps are np.zeros_like(x) + 1e-5 and x * 0 + 1e-5: zeros of the input plus a step."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    x = np.arctanh(cache)
    h = np.zeros_like(x) + 1e-5
    k = x * 0 + 1e-5
    return dout * ((np.tanh(x + h) - np.tanh(x - h)) / (2 * h) + (np.tanh(x + k) - np.tanh(x - k)) / (2 * k)) / 2
