"""softmax_loss with an explicit one-hot matrix and log-sum-exp."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    n, classes = x.shape
    top = x.max(axis=1, keepdims=True)
    log_z = top + np.log(np.sum(np.exp(x - top), axis=1, keepdims=True))
    probs = np.exp(x - log_z)
    onehot = np.eye(classes)[y]
    loss = float(-np.sum(onehot * (x - log_z)) / n)
    return loss, (probs - onehot) / n
