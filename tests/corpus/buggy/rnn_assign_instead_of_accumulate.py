"""dWx, dWh and db assigned at each step instead of summed over steps: only step 0 survives."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_assign_instead_of_accumulate"


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dprev_h, dWx, dWh, db = rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db
