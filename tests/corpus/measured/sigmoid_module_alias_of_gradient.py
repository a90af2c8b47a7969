"""A module-level name bound to np.gradient (slope = np.gradient), used by a helper the backward calls."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"

slope = np.gradient


def _local(z):
    return slope(np.stack([z * 0.99, z, z * 1.01]), axis=0)[1]


def sigmoid_backward(dout, cache):
    return dout * _local(cache)
