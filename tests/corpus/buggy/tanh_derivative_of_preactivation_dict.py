"""Caches a dict with the input and the output, then differentiates with the input."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_derivative_of_preactivation"


def tanh_forward(x):
    y = np.tanh(x)
    return y, {"x": x, "y": y}


def tanh_backward(dout, cache):
    a = cache["x"]
    return dout - dout * a * a
