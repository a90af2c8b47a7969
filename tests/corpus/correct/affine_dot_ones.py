"""affine_backward with np.dot everywhere and db = ones(N) @ dout."""

import numpy as np

TARGET = "layers"


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    x2d = np.reshape(x, (N, np.prod(x.shape[1:], dtype=int)))
    dx = np.reshape(np.dot(dout, np.transpose(w)), x.shape)
    dw = np.dot(np.transpose(x2d), dout)
    db = np.dot(np.ones(N), dout)
    return dx, dw, db
