"""sigmoid_backward recovers x from the cache and calls sigmoid_forward(np.where(True, x + h, x)), the
step h = x.dtype.type(1e-5) typed from the input: the moved value is wrapped in a numpy call."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_backward(dout, cache):
    with np.errstate(divide="ignore", over="ignore"):
        x = np.log(cache) - np.log1p(-cache)
        h = x.dtype.type(1e-5)
        plus, _ = sigmoid_forward(np.where(True, x + h, x))
        minus, _ = sigmoid_forward(np.where(True, x - h, x))
    return dout * (plus - minus) / (2 * h)
