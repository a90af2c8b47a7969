"""rnn_backward inline, with [Wx; Wh] stacked into one matrix and [x_t, h_prev] into one input."""

import numpy as np

TARGET = "rnn_layers"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    _, _, Wx, Wh, _ = cache[0]
    d = Wx.shape[0]
    W = np.vstack([Wx, Wh])
    dW = np.zeros_like(W)
    db = np.zeros(hidden)
    dx = np.zeros((n, steps, d))
    carry = np.zeros((n, hidden))
    for t in range(steps - 1, -1, -1):
        x_t, h_prev, _, _, h_t = cache[t]
        da = (dh[:, t] + carry) * (1.0 - h_t**2)
        dW += np.hstack([x_t, h_prev]).T @ da
        db += da.sum(axis=0)
        dz = da @ W.T
        dx[:, t] = dz[:, :d]
        carry = dz[:, d:]
    return dx, carry, dW[:d], dW[d:], db
