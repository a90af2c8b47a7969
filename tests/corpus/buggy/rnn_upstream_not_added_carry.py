"""Starts from dh[:, -1] and then only follows the carried gradient; dh[:, t] for t < T-1 is ignored."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_upstream_not_added"


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dcurrent = dh[:, T - 1, :].copy()
    for t in range(T - 1, -1, -1):
        dx_t, dcurrent, dWx_t, dWh_t, db_t = rnn_step_backward(dcurrent, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dcurrent, dWx, dWh, db
