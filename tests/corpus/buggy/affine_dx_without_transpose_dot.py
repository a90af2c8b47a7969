"""dx = np.dot(dout, w) with a loop-free dw; the transpose of w is forgotten."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dx_without_transpose"


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    x2 = np.reshape(x, (N, -1))
    dx = np.dot(dout, w)
    dx = np.reshape(dx, x.shape)
    dw = np.dot(x2.T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
