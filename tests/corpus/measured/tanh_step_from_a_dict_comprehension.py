"""The step is an item of a module-level dict comprehension, {k: 10.0 ** -k for k in range(4, 7)}[5]:
not folded, and computed from nothing the backward receives."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"

STEPS = {k: 10.0 ** -k for k in range(4, 7)}


def tanh_backward(dout, cache):
    h = STEPS[5]
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
