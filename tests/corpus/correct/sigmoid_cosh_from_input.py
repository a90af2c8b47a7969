"""sigmoid caches its input; the derivative 1 / (2 + 2 cosh x) overflows harmlessly to 0."""

import numpy as np

TARGET = "layers"


def sigmoid_forward(x):
    out = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out, x.copy()


def sigmoid_backward(dout, cache):
    with np.errstate(over="ignore"):
        return dout / (2.0 + 2.0 * np.cosh(cache))
