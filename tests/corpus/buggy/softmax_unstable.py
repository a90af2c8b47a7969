"""Probabilities as exp(x) / sum(exp(x)) without subtracting the max: NaN for scores in the thousands."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_unstable"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    exp_scores = np.exp(x)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    probs[np.arange(n), y] -= 1
    dx = probs / n
    return loss, dx
