"""Returns the local gradient z * (1 - z) without the upstream gradient."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_forgot_dout"


def sigmoid_backward(dout, cache):
    z = cache
    dx = z * (1 - z)
    return dx
