"""affine_backward multiplies the shape's trailing dimensions with functools.reduce(operator.mul, ...): a
multiplying function handed no large factor, and no step anywhere."""

import functools
import operator

import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    x, w, b = cache
    n = x.shape[0]
    d = functools.reduce(operator.mul, x.shape[1:], 1)
    rows = x.reshape(n, d)
    dx = (dout @ w.T).reshape(x.shape)
    dw = rows.T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db
