"""dprev_h = da @ Wx.T (copy-paste from dx): fits only when D == H."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_dprev_through_Wx"
ALSO = "rnn_backward"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1.0 - next_h**2)
    dx = da @ Wx.T
    dprev_h = da @ Wx.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
