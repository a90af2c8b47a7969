"""Applies tanh to the cached output again: 1 - tanh(y)**2."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_applied_twice"


def tanh_backward(dout, cache):
    t = np.tanh(cache)
    return dout * (1 - t * t)
