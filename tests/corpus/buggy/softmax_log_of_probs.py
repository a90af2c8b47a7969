"""Stable probabilities, but the loss is -log(probs[i, y[i]]): a probability that underflows to 0 makes
the loss inf (its dx is right)."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_log_of_underflowed_probability"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[range(n), y])) / n
    dx = probs.copy()
    dx[range(n), y] -= 1
    dx /= n
    return loss, dx
