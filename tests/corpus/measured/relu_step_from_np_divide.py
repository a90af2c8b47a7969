"""relu_backward's step is np.divide(1, 10 ** 7), a call the reader cannot fold, of constants."""

import numpy as np

TARGET = "layers"
FLAGGED = "relu_backward"


def relu_backward(dout, cache):
    x = cache
    h = np.divide(1, 10 ** 7)
    return dout * (np.maximum(0.0, x + h) - np.maximum(0.0, x - h)) / (2 * h)
