"""relu_backward with np.where and the other subgradient (1) at exactly 0."""

import numpy as np

TARGET = "layers"


def relu_backward(dout, cache):
    return np.where(cache >= 0, dout, 0.0)
