"""softmax_loss perturbs x by a unit vector e whose one entry is set to h (e[i, j] = h), loss by loss."""

import numpy as np

TARGET = "layers"
FLAGGED = "softmax_loss"


def _loss(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(x.shape[0]), y].mean())


def softmax_loss(x, y):
    h = 1e-6
    dx = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            e = np.zeros_like(x)
            e[i, j] = h
            dx[i, j] = (_loss(x + e, y) - _loss(x - e, y)) / (h + h)
    return _loss(x, y), dx
