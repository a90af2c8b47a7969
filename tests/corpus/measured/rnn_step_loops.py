"""rnn_step_backward perturbs each of its five inputs element by element (h a default argument);
rnn_backward, which calls it, measures through it."""

import numpy as np

TARGET = "rnn_layers"
FLAGGED = "rnn_step_backward rnn_backward"


def rnn_step_backward(dnext_h, cache, h=1e-5):
    inputs = list(cache[:4])
    b = np.arctanh(np.clip(cache[4], -0.999999, 0.999999)) - cache[0] @ cache[2] - cache[1] @ cache[3]
    inputs.append(b[0].copy())
    grads = []
    for k, array in enumerate(inputs):
        grad = np.zeros_like(array)
        for index in np.ndindex(*array.shape):
            saved = array[index]
            array[index] = saved + h
            plus = np.sum(rnn_step_forward(*inputs)[0] * dnext_h)
            array[index] = saved - h
            minus = np.sum(rnn_step_forward(*inputs)[0] * dnext_h)
            array[index] = saved
            grad[index] = (plus - minus) / (2 * h)
        grads.append(grad)
    return tuple(grads)
