"""A one-sided difference of the sigmoid formula written inline, with the step spelled 10**-6 at module level."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"

EPS = 10**-6


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    x = cache
    rise = 1 / (1 + np.exp(-(x + EPS))) - 1 / (1 + np.exp(-x))
    return dout * rise / EPS
