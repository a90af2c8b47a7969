"""sigmoid_backward evaluates its forward at np.add(x, h) and np.subtract(x, h), and divides by [2 * h]."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    out = 1.0 / (1.0 + np.exp(-x))
    return out, x


def sigmoid_backward(dout, cache):
    x = cache
    h = 1e-5
    plus, _ = sigmoid_forward(np.add(x, h))
    minus, _ = sigmoid_forward(np.subtract(x, h))
    return dout * (plus - minus) / [2 * h]
