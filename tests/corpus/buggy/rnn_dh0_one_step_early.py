"""Returns the gradient reaching h[:, 0] as dh0, instead of passing it through step 0."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_dh0_one_step_early"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(hidden)
    dprev_h = np.zeros((n, hidden))
    for t in reversed(range(steps)):
        dh_t = dh[:, t] + dprev_h
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh_t, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_t
    return dx, dh0, dWx, dWh, db
