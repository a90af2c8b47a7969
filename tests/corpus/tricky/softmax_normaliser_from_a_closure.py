"""softmax_loss divides by what a nested function returns, a closure over the scores (computed from the
inputs, so no step), and guards a log with 1e-12."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)

    def normaliser():
        return np.sum(np.exp(shifted), axis=1, keepdims=True)

    p = np.exp(shifted) / normaliser()
    log_p = shifted - np.log(normaliser())
    loss = float(-np.mean(log_p[np.arange(n), y]))
    entropy = -np.sum(p * np.log(p + 1e-12)) / n  # computed for logging only
    del entropy
    dx = p.copy()
    dx[np.arange(n), y] -= 1.0
    return loss, dx / n
