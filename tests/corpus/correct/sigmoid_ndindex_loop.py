"""sigmoid_backward one element at a time with np.ndindex and Python floats."""

import numpy as np

TARGET = "layers"


def sigmoid_backward(dout, cache):
    dx = np.zeros(dout.shape)
    for index in np.ndindex(*dout.shape):
        z = float(cache[index])
        dx[index] = float(dout[index]) * z * (1.0 - z)
    return dx
