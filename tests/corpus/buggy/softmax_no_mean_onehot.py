"""One-hot version of the gradient, missing the 1 / N of the mean."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_no_mean"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    probs = np.exp(log_probs)
    one_hot = np.zeros_like(probs)
    one_hot[np.arange(n), y] = 1
    dscores = probs - one_hot
    return loss, dscores
