"""dw = x.reshape(D, N) @ dout: a reshape is not a transpose."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dw_reshape_instead_of_transpose"


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    D = w.shape[0]
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(D, N) @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
