"""rnn_step_backward perturbs each input by SETTINGS["step"], a module-level dict written after the function;
rnn_backward measures through it."""

import numpy as np

TARGET = "rnn_layers"
FLAGGED = "rnn_step_backward rnn_backward"


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, (next_h, b))
    return next_h, cache


def _hidden(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh + b)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, (next_h, b) = cache
    inputs = [x, prev_h, Wx, Wh, b]
    h = SETTINGS["step"]
    grads = []
    for k in range(len(inputs)):
        grad = np.zeros_like(inputs[k])
        for idx in np.ndindex(*inputs[k].shape):
            plus = [a.copy() for a in inputs]
            minus = [a.copy() for a in inputs]
            plus[k][idx] = inputs[k][idx] + h
            minus[k][idx] = inputs[k][idx] - h
            grad[idx] = (np.sum(_hidden(*plus) * dnext_h) - np.sum(_hidden(*minus) * dnext_h)) / (2 * h)
        grads.append(grad)
    return tuple(grads)


SETTINGS = {"step": 1e-5}
