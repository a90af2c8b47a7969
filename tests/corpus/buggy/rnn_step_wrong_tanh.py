"""tanh derivative from prev_h instead of next_h."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_tanh_of_prev_h"
# rnn_backward calls rnn_step_backward, so it inherits the bug (the report says so).
ALSO = "rnn_backward"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - prev_h**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(0)
