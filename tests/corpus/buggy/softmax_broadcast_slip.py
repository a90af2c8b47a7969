"""probs[:, y] -= 1 instead of probs[arange(N), y] -= 1."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_broadcast_slip"


def softmax_loss(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(len(y)), y].mean())
    probs[:, y] -= 1
    return loss, probs / len(y)
