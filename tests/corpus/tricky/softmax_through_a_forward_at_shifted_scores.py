"""softmax_loss calls its own softmax_forward at x - x.max(axis=1, keepdims=True), once: the stable
softmax, not a moved input."""

import numpy as np

TARGET = "layers"


def softmax_forward(scores):
    """Row-wise softmax of already shifted scores."""
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def softmax_loss(x, y):
    n = x.shape[0]
    probs = softmax_forward(x - x.max(axis=1, keepdims=True))
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    dx = probs.copy()
    dx[np.arange(n), y] -= 1.0
    dx /= n
    return loss, dx
