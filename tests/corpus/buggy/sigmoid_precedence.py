"""dout * z * 1 - z: the parentheses around (1 - z) are missing."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_precedence"


def sigmoid_backward(dout, cache):
    z = cache
    dx = dout * z * 1 - z
    return dx
