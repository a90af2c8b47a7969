"""relu_backward with np.heaviside(x, 0.5): half the gradient at exactly 0, a valid subgradient."""

import numpy as np

TARGET = "layers"


def relu_backward(dout, cache):
    return dout * np.heaviside(cache, 0.5)
