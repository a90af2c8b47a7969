"""dx = dout @ w: fits only when w is square."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dx_without_transpose"


def affine_backward(dout, cache):
    x, w, b = cache
    return (dout @ w).reshape(x.shape), x.reshape(len(x), -1).T @ dout, dout.sum(0)
