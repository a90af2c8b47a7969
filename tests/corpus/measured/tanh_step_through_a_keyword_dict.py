"""tanh_backward passes its helper the step as **{"h": 1e-5}: a dict display unpacked into keywords."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def _centred(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def tanh_backward(dout, cache):
    return dout * _centred(np.tanh, np.arctanh(cache), **{"h": 1e-5})
