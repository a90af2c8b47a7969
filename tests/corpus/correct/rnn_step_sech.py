"""rnn step caches the pre-activation a (not next_h) and uses 1 / cosh(a)**2."""

import numpy as np

TARGET = "rnn_layers"


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    a = x @ Wx + prev_h @ Wh + b
    return np.tanh(a), (x, prev_h, Wx, Wh, a)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, a = cache
    with np.errstate(over="ignore"):
        da = dnext_h / np.cosh(a) ** 2
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(0)
