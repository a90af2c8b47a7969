"""Only the last step receives its upstream gradient."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_upstream_not_added"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(hidden)
    dprev = dh[:, -1]
    for t in reversed(range(steps)):
        dx[:, t], dprev, a, c, e = rnn_step_backward(dprev, cache[t])
        dWx += a
        dWh += c
        db += e
    return dx, dprev, dWx, dWh, db
