"""sigmoid caches x; backward uses e / (1 + e)**2 with e = exp(-|x|), which never overflows."""

import numpy as np

TARGET = "layers"


def sigmoid_forward(x):
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out, x


def sigmoid_backward(dout, cache):
    e = np.exp(-np.abs(cache))
    return dout * e / (1.0 + e) ** 2
