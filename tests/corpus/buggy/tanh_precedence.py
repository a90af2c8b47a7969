"""1 - y**2 * dout: the upstream gradient multiplies only the square."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_precedence"


def tanh_backward(dout, cache):
    y = cache
    dx = 1.0 - y**2 * dout
    return dx
