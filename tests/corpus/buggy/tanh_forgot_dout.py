"""Returns 1 - y**2 without multiplying by the upstream gradient."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_forgot_dout"


def tanh_backward(dout, cache):
    y = cache
    dx = 1 - np.square(y)
    return dx
