"""BPTT that walks t backwards by popping the step caches: right values, but the list rnn_forward
returned is empty afterwards."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_cache_pop"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    dx = np.zeros((n, steps, cache[0][0].shape[1]))
    dWx, dWh, db = np.zeros_like(cache[0][2]), np.zeros_like(cache[0][3]), np.zeros(hidden)
    dprev_h = np.zeros((n, hidden))
    for t in reversed(range(steps)):
        step_cache = cache.pop()
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, step_cache)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
