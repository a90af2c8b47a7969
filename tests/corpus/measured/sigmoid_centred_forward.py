"""sigmoid caches x; the backward calls sigmoid_forward at x + h and x - h and divides by 2h."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    h = 1e-5
    plus, _ = sigmoid_forward(cache + h)
    minus, _ = sigmoid_forward(cache - h)
    return dout * (plus - minus) / (2 * h)
