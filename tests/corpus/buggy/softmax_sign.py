"""onehot - probs: the gradient of the log-likelihood, not of the loss."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_sign"


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    probs = np.exp(log_probs)
    target = np.eye(x.shape[1])[y]
    dx = (target - probs) / n
    return loss, dx
