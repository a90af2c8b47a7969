"""relu_backward with a float mask built by np.heaviside and the 1e-300 of a safe reciprocal that cancels."""

import numpy as np

TARGET = "layers"


def relu_backward(dout, cache):
    mask = np.heaviside(cache, 1.0)
    scale = (np.abs(cache) + 1e-300) / (np.abs(cache) + 1e-300)
    return dout * mask * scale
