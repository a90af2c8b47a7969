"""tanh_backward takes its step from a dict it writes, {"h": 1e-5}["h"]: the reader cannot
fold the lookup, but nothing in it comes from the inputs."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    h = {"h": 1e-5}["h"]
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
