"""dh0 returned as zeros: "h0 is not a parameter"."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_dh0_zero"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(hidden)
    dnext = np.zeros((n, hidden))
    for t in reversed(range(steps)):
        dx_t, dnext, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dnext, cache[t])
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = np.zeros((n, hidden))
    return dx, dh0, dWx, dWh, db
