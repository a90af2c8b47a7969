"""The loss and dx rewritten with the batch's largest score as the shift: NaN in both for a row far
below that score."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_batch_max_loss"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max()
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = float(-np.log(probs[range(n), y]).mean())
    dx = probs.copy()
    dx[range(n), y] -= 1
    return loss, dx / n
