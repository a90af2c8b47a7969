"""affine_backward with einsum and tensordot, db by an explicit loop."""

import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    x, w, b = cache
    rows = x.reshape(len(x), -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.tensordot(rows, dout, axes=([0], [0]))
    db = np.zeros_like(b)
    for row in dout:
        db = db + row
    return dx, dw, db
