"""functools.partial binds the step to a helper with no default; the helper divides by it."""

import functools

import numpy as np

TARGET = "layers"
FLAGGED = "svm_loss"


def _value(x, y):
    n = x.shape[0]
    margins = np.maximum(0.0, x - x[np.arange(n), y][:, None] + 1.0)
    margins[np.arange(n), y] = 0.0
    return float(margins.sum() / n)


def _difference(f, x, y, index, h):
    bumped = x.copy()
    bumped[index] += h
    return (f(bumped, y) - f(x, y)) / h


_slope = functools.partial(_difference, _value, h=1e-7)


def svm_loss(x, y):
    dx = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        dx[index] = _slope(x, y, index)
    return _value(x, y), dx
