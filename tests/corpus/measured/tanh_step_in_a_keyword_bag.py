"""A centred difference of np.tanh whose step is a keyword of an attribute bag (setattr over kwargs)."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


class Knobs:
    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)


def tanh_backward(dout, cache):
    k = Knobs(h=1e-5)
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + k.h) - np.tanh(x - k.h)) / (2 * k.h)
    return dx
