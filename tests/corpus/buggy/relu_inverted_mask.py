"""Passes the gradient where x < 0: the mask is inverted."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_inverted_mask"


def relu_backward(dout, cache):
    x = cache
    dx = dout.copy()
    dx[x > 0] = 0
    return dx
