"""tanh_backward's step is x.dtype.type(1e-5), a scalar of the input's type: a number reached through x only nominally."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    x = np.arctanh(cache)
    h = x.dtype.type(1e-5)
    return dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
