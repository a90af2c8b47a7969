"""from gradcheck import *: grouped_gradient arrives without its module's name."""

import numpy as np
from gradcheck import *

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    x = cache.copy()
    grad, _ = grouped_gradient(lambda: np.tanh(x), x, dout, [(0, 0), (1, 1)])
    return grad
