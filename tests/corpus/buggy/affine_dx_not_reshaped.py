"""dx left as (N, D) instead of the shape of x."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dx_not_reshaped"


def affine_backward(dout, cache):
    x, w, b = cache
    x_rows = x.reshape(x.shape[0], -1)
    dx = dout @ w.T
    dw = x_rows.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
