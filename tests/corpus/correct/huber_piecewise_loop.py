"""huber_loss with a Python loop over every element, if/else per piece."""

import numpy as np

TARGET = "layers"


def huber_loss(pred, target, delta=1.0):
    diff = (pred - target).ravel()
    size = diff.size
    loss = 0.0
    grad = np.zeros(size)
    for i in range(size):
        d = diff[i]
        if abs(d) <= delta:
            loss += 0.5 * d * d
            grad[i] = d
        else:
            loss += delta * (abs(d) - 0.5 * delta)
            grad[i] = delta if d > 0 else -delta
    return loss / size, grad.reshape(pred.shape) / size
