"""Probabilities shifted by the largest score of the whole batch, not of each row: a row whose scores
are far below the batch's largest underflows to 0 / 0 = NaN."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_batch_max"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    exp_scores = np.exp(x - np.max(x))
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    probs[np.arange(n), y] -= 1
    return loss, probs / n
