"""softmax_loss with take_along_axis / put_along_axis for the correct-class entries."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    z = x - np.max(x, axis=1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    idx = y.reshape(-1, 1)
    loss = -np.mean(np.take_along_axis(log_p, idx, axis=1))
    grad = np.exp(log_p)
    np.put_along_axis(grad, idx, np.take_along_axis(grad, idx, axis=1) - 1.0, axis=1)
    return float(loss), grad / x.shape[0]
