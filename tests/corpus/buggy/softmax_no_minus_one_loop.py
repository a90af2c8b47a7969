"""Per-row loop over the probabilities; the -1 at the correct class is never subtracted."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_no_minus_one"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    dx = np.zeros_like(x)
    for i in range(n):
        p = np.exp(log_probs[i])
        dx[i] = p / n
    return loss, dx
