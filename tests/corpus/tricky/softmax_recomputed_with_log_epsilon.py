"""softmax_loss recomputes the probabilities from the log-sum-exp, guards the log with 1e-300 where the
probabilities are used (a stability epsilon, not a step), and divides the gradient by n."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    p = np.exp(log_p)
    loss = float(-np.mean(log_p[np.arange(n), y]))
    safe_entropy = -np.sum(p * np.log(p + 1e-300)) / n  # computed for logging only
    del safe_entropy
    dx = p.copy()
    dx[np.arange(n), y] -= 1.0
    return loss, dx / n
