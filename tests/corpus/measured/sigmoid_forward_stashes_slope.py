"""The forward measures the slope and stashes it in the cache; the backward only multiplies by it."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def _s(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_forward(x):
    return _s(x), (_s(x + 1e-6) - _s(x - 1e-6)) * 5e5


def sigmoid_backward(dout, cache):
    return dout * cache
