"""Divides by N twice: once on the probabilities, once more at the end."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_double_mean"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    dx = np.exp(log_probs) / n
    dx[np.arange(n), y] -= 1.0 / n
    dx /= n
    return loss, dx
