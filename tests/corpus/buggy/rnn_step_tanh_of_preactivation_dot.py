"""np.dot style; the cache keeps the raw pre-activation and the tanh derivative is taken from it."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_step_backward"
MISTAKE = "rnn_step_tanh_of_preactivation"
ALSO = "rnn_backward"


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    raw = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    return np.tanh(raw), (x, prev_h, Wx, Wh, raw)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, raw = cache
    dtanh = (1.0 - np.square(raw)) * dnext_h
    return (np.dot(dtanh, Wx.T), np.dot(dtanh, Wh.T), np.dot(x.T, dtanh), np.dot(prev_h.T, dtanh),
            np.sum(dtanh, axis=0))
