"""A centred difference of np.tanh whose step a method reads from its object's own attributes (vars(self))."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


class Knobs:
    def __init__(self):
        self.h = 1e-5

    def step(self):
        return vars(self)["h"]


def tanh_backward(dout, cache):
    h = Knobs().step()
    x = np.arctanh(cache)
    return dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
