"""The module's STEP is None until a function run at import assigns it through global STEP."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"

STEP = None


def _configure():
    global STEP
    STEP = 1e-5


_configure()


def tanh_backward(dout, cache):
    h = STEP
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
