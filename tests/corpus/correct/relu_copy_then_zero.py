"""relu_backward copies dout first, then zeroes where the unit did not fire (x <= 0)."""

import numpy as np

TARGET = "layers"


def relu_backward(dout, cache):
    x = cache
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx
