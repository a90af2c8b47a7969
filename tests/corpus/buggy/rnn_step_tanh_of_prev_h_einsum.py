"""einsum version; the tanh derivative is taken at prev_h instead of next_h."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_tanh_of_prev_h"
ALSO = "rnn_backward"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    g = dnext_h * (1.0 - prev_h**2)
    dx = np.einsum("nh,dh->nd", g, Wx)
    dprev_h = np.einsum("nh,kh->nk", g, Wh)
    dWx = np.einsum("nd,nh->dh", x, g)
    dWh = np.einsum("nk,nh->kh", prev_h, g)
    return dx, dprev_h, dWx, dWh, g.sum(0)
