"""Applies the sigmoid to its cached output again."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_applied_twice"


def sigmoid_backward(dout, cache):
    s = 1.0 / (1.0 + np.exp(-cache))
    return dout * s * (1 - s)
