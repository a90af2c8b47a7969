"""The loss without its mean: one value per example, shape (N,), instead of a float."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_loss_not_averaged"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y]
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1.0
    dx /= n
    return loss, dx
