"""tanh local gradient 1 - y instead of 1 - y**2."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_missing_square"


def tanh_backward(dout, cache):
    return dout * (1.0 - cache)
