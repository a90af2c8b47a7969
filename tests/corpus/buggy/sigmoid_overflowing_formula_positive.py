"""exp(x) / (1 + exp(x))**2 from a cached input: inf / inf = NaN once x > ~709."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_overflowing_formula"


def sigmoid_forward(x):
    out = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out, x.copy()


def sigmoid_backward(dout, cache):
    e = np.exp(cache)
    return dout * e / (1.0 + e) ** 2
