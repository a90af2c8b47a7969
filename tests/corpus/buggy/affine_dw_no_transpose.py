"""dw = x_rows @ dout: the transpose of x is forgotten; numpy's matmul refuses the shapes unless N == D."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dw_without_transpose"


def affine_backward(dout, cache):
    x, w, b = cache
    x_rows = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_rows @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
