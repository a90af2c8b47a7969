"""db summed over the hidden units (axis 1) instead of the batch."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_db_wrong_axis"
ALSO = "rnn_backward"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = (1.0 - next_h**2) * dnext_h
    dx = dz.dot(Wx.T)
    dprev_h = dz.dot(Wh.T)
    dWx = x.T.dot(dz)
    dWh = prev_h.T.dot(dz)
    db = dz.sum(axis=1)
    return dx, dprev_h, dWx, dWh, db
