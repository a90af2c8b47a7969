"""sigmoid_backward written as dout*z - dout*z**2."""

import numpy as np

TARGET = "layers"


def sigmoid_backward(dout, cache):
    z = cache
    return dout * z - dout * z**2
