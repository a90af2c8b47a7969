"""dx = dout @ w with w not square: numpy's matmul raises on the shapes, so the mistake shows as a crash."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dx_without_transpose"


def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.matmul(dout, w).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
