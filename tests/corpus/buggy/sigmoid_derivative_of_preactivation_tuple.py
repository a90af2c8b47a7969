"""Caches (x, out) but differentiates with x: dout * x * (1 - x)."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_derivative_of_preactivation"


def sigmoid_forward(x):
    out = np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))
    return out, (x, out)


def sigmoid_backward(dout, cache):
    x, out = cache
    local = x * (1.0 - x)
    return local * dout
