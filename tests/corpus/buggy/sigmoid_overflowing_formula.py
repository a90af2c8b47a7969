"""exp(-x) / (1 + exp(-x))**2 from a cached input: NaN once |x| > ~709."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_overflowing_formula"


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500))), x


def sigmoid_backward(dout, cache):
    x = cache
    return dout * np.exp(-x) / (1 + np.exp(-x)) ** 2
