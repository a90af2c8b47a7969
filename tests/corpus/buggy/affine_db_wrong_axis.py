"""db summed over axis 1 (the features) instead of the batch."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_db_wrong_axis"


def affine_backward(dout, cache):
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    dx = dout.dot(w.T).reshape(*x.shape)
    dw = x_flat.T.dot(dout)
    db = np.sum(dout, axis=1)
    return dx, dw, db
