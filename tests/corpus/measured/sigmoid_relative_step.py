"""A relative step: x * (1 + 1e-7), divided by x * 1e-7; the forward is the reference's (cache holds z,
so the student's forward is rewritten to cache x)."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    x = np.where(cache == 0, 1e-300, cache)
    up = x * (1 + 1e-7)
    return dout * (sigmoid_forward(up)[0] - sigmoid_forward(x)[0]) / (x * 1e-7)
