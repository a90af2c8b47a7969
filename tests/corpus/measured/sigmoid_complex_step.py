"""Complex step: sigmoid_forward at x + 1j * h, the slope read from the imaginary part."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    h = 1e-20
    return dout * sigmoid_forward(cache + 1j * h)[0].imag / h
