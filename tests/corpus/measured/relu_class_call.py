"""relu_backward is an instance of a class whose __call__ takes differences, the step a class attribute
read as self.h."""

import numpy as np

TARGET = "layers"
FLAGGED = "relu_backward"


class Slope:
    h = 1e-6

    def __init__(self, forward):
        self.forward = forward

    def __call__(self, dout, cache):
        ahead = self.forward(cache + self.h)[0]
        here = self.forward(cache)[0]
        return dout * (ahead - here) / self.h


def relu_forward(x):
    return np.maximum(0.0, x), x


relu_backward = Slope(relu_forward)
