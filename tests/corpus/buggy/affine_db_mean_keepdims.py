"""db = np.mean(dout, axis=0): averaged instead of summed over the batch."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_db_mean"


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    dx = np.matmul(dout, w.T).reshape(x.shape)
    dw = np.matmul(x.reshape(N, -1).T, dout)
    db = np.mean(dout, axis=0, keepdims=True).reshape(b.shape)
    return dx, dw, db
