"""tanh_backward multiplies the difference by 2 ** 16 with np.ldexp(diff, 16): a division by 2 * h, h = 2 ** -17."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    h = 2.0 ** -17
    x = np.arctanh(cache)
    return dout * np.ldexp(np.tanh(x + h) - np.tanh(x - h), 16)
