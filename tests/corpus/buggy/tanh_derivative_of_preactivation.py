"""Caches x and uses 1 - x**2, the formula meant for tanh's output."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_derivative_of_preactivation"


def tanh_forward(x):
    out = np.tanh(x)
    cache = x
    return out, cache


def tanh_backward(dout, cache):
    x = cache
    dx = dout * (1 - x**2)
    return dx
