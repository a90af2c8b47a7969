"""sigmoid_backward keeps an intermediate in a module-level scratch dict it fills from the cache: what is
stored there comes from the inputs, so e / ((1 + e) * (1 + e)) moves and divides by no step."""

import numpy as np

TARGET = "layers"

_SCRATCH = {}


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    _SCRATCH["e"] = np.exp(-np.abs(cache))  # sigmoid'(x) = e / (1 + e)**2 with e = exp(-|x|)
    e = _SCRATCH["e"]
    d = 1.0 + e
    return dout * e / (d * d)
