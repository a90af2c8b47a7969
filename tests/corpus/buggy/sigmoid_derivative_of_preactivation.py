"""Caches x and uses x * (1 - x), the formula meant for the sigmoid's output."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_derivative_of_preactivation"


def sigmoid_forward(x):
    out = 0.5 * (1.0 + np.tanh(0.5 * x))
    cache = x
    return out, cache


def sigmoid_backward(dout, cache):
    x = cache
    return dout * x * (1 - x)
