"""The step is a decimal.Decimal turned into a float, float(Decimal("1e-5")): a call the reader cannot
fold, on constants only."""

from decimal import Decimal

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    h = float(Decimal("1e-5"))
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
