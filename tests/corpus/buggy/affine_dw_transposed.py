"""dw = dout.T @ x: transposed, same shape only for square w."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dw_transposed"


def affine_backward(dout, cache):
    x, w, b = cache
    dw = dout.T @ x.reshape(len(x), -1)
    return (dout @ w.T).reshape(x.shape), dw.reshape(w.shape), dout.sum(0)
