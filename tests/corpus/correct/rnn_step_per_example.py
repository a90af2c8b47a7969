"""rnn_step_backward one example at a time, weight gradients as sums of outer products."""

import numpy as np

TARGET = "rnn_layers"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dx = np.zeros(x.shape)
    dprev_h = np.zeros(prev_h.shape)
    dWx = np.zeros(Wx.shape)
    dWh = np.zeros(Wh.shape)
    db = np.zeros(Wh.shape[0])
    for i in range(x.shape[0]):
        da = dnext_h[i] * (1.0 - next_h[i] ** 2)
        dx[i] = Wx @ da
        dprev_h[i] = Wh @ da
        dWx += np.outer(x[i], da)
        dWh += np.outer(prev_h[i], da)
        db += da
    return dx, dprev_h, dWx, dWh, db
