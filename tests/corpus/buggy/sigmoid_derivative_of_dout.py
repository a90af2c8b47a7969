"""The sigmoid derivative applied to the upstream gradient: dout * (1 - dout)."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_derivative_of_dout"


def sigmoid_backward(dout, cache):
    return dout * (1.0 - dout)
