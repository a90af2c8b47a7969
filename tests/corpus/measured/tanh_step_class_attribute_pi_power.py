"""A centred difference of np.tanh in a method, the step a class attribute folded from a constant
(h = np.pi ** -10) and the divisor the step summed in a tuple (math.fsum((h, h)))."""

import math

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


class Slope:
    h = np.pi ** -10

    def of(self, f, x):
        return (f(x + self.h) - f(x - self.h)) / math.fsum((self.h, self.h))


def tanh_backward(dout, cache):
    return dout * Slope().of(np.tanh, np.arctanh(cache))
