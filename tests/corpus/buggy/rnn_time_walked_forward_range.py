"""BPTT loop over range(T) (forward in time), carrying the gradient the wrong way."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_time_walked_forward"


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    x0 = cache[0][0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx = np.zeros((x0.shape[1], H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_carry = np.zeros((N, H))
    dh0 = None
    for t in range(T):
        dx_t, dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_carry, cache[t])
        if t == 0:
            dh0 = dh_prev
        dh_carry = dh_prev
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh0, dWx, dWh, db
