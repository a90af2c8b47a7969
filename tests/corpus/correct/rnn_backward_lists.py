"""rnn_backward collects each step's gradients in lists and sums them with np.sum at the end."""

import numpy as np

TARGET = "rnn_layers"


def rnn_backward(dh, cache):
    steps = len(cache)
    dxs = [None] * steps
    dWxs, dWhs, dbs = [], [], []
    upstream = np.zeros_like(dh[:, 0])
    for t in range(steps)[::-1]:
        dx_t, upstream, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + upstream, cache[t])
        dxs[t] = dx_t
        dWxs.append(dWx_t)
        dWhs.append(dWh_t)
        dbs.append(db_t)
    dx = np.stack(dxs, axis=1)
    return dx, upstream, np.sum(dWxs, axis=0), np.sum(dWhs, axis=0), np.sum(dbs, axis=0)
