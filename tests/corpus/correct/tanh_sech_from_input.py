"""tanh caches (x, y) and uses 1 / cosh(x)**2."""

import numpy as np

TARGET = "layers"


def tanh_forward(x):
    y = np.tanh(x)
    return y, (x, y)


def tanh_backward(dout, cache):
    x, _ = cache
    with np.errstate(over="ignore"):
        return dout / np.cosh(x) ** 2
