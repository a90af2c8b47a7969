"""dw divided by the batch size, as if the layer averaged over examples."""
import numpy as np

TARGET = "layers"
EXPECT = "affine_backward"
MISTAKE = "affine_dw_extra_mean"


def affine_backward(dout, cache):
    x, w, b = cache
    num_train = x.shape[0]
    x_rows = x.reshape(num_train, -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_rows.T @ dout / num_train
    db = dout.sum(axis=0)
    return dx, dw, db
