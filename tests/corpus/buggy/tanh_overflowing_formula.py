"""Caches x and rebuilds tanh as (exp(2x) - 1) / (exp(2x) + 1): inf / inf = NaN for large x."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_overflowing_formula"


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    x = cache
    e2x = np.exp(2 * x)
    t = (e2x - 1) / (e2x + 1)
    return dout * (1 - t**2)
