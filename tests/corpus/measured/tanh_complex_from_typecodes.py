"""tanh_backward picks a complex dtype out of np.typecodes["Complex"] and takes a complex step with it."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    kind = np.typecodes["Complex"][1]
    unit = np.sqrt(np.array(-1.0, kind))
    h = cache.dtype.type(1e-20)
    z = np.tanh(np.arctanh(cache) + h * unit)
    return dout * np.real(-z * unit) / h
