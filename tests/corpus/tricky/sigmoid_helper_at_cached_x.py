"""sigmoid caches x; the backward recomputes the sigmoid with a module-level helper _sigmoid(x) at the
cached point and writes s * (1 - s)."""

import numpy as np

TARGET = "layers"


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_forward(x):
    return _sigmoid(x), x


def sigmoid_backward(dout, cache):
    s = _sigmoid(cache)
    return dout * s * (1.0 - s)
