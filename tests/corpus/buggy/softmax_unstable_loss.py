"""The loss rewritten from probabilities exp(x) / sum(exp(x)) without the row maximum: for scores in
the thousands both the loss and dx are NaN (exp overflows to inf, and inf / inf is NaN)."""
import numpy as np

TARGET = "layers"
EXPECT = "softmax_loss"
MISTAKE = "softmax_unstable_loss"


def softmax_loss(x, y):
    n = x.shape[0]
    exp_scores = np.exp(x)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = float(-np.log(probs[np.arange(n), y]).mean())
    dx = probs.copy()
    dx[np.arange(n), y] -= 1
    dx /= n
    return loss, dx
