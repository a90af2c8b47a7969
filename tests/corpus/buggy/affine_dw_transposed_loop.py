"""dw accumulated per example as outer(dout[i], x[i]): the transpose of the right answer."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dw_transposed"


def affine_backward(dout, cache):
    x, w, b = cache
    rows = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = np.zeros((w.shape[1], w.shape[0]))
    for i in range(rows.shape[0]):
        dw += np.outer(dout[i], rows[i])
    # numpy complained about shapes, so reshape to w's shape
    dw = dw.reshape(w.shape)
    db = dout.sum(axis=0)
    return dx, dw, db
