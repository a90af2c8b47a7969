"""softmax_loss recomputes the probabilities and takes log(p + 1e-300); the gradient divides by n."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-300)))
    dx = p.copy()
    dx[np.arange(n), y] -= 1.0
    return loss, dx / n
