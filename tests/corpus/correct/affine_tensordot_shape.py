"""affine_backward: dx by tensordot with w.T reshaped to (M, d1, ..., dk), so no reshape of dx is needed."""

import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    x, w, b = cache
    n, m = dout.shape
    dx = np.tensordot(dout, w.T.reshape((m,) + x.shape[1:]), axes=1)
    dw = np.einsum("ni,nm->im", x.reshape(n, -1), dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db
