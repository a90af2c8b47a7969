"""Initialises the sums with zeros, then overwrites them with = inside the loop."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_assign_instead_of_accumulate"


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(hidden)
    carry = np.zeros((n, hidden))
    t = steps - 1
    while t >= 0:
        step = rnn_step_backward(dh[:, t] + carry, cache[t])
        dx[:, t] = step[0]
        carry = step[1]
        dWx = step[2]
        dWh = step[3]
        db = step[4]
        t -= 1
    return dx, carry, dWx, dWh, db
