"""dWh = da.T @ prev_h: transposed (it still has the shape (H, H))."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_dWh_transposed"
ALSO = "rnn_backward"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h * next_h)
    dx = dtanh @ Wx.T
    dprev_h = dtanh @ Wh.T
    dWx = x.T @ dtanh
    dWh = dtanh.T @ prev_h
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db
