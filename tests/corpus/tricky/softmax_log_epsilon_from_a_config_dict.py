"""softmax_loss guards a log with an epsilon read from a module-level config dict, CONFIG["eps"] (a
perturbation the reader sees, and nothing divides by a step), then divides the gradient by n."""

import numpy as np

TARGET = "layers"

CONFIG = {"eps": 1e-12, "name": "softmax"}


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    p = np.exp(log_p)
    loss = float(-np.mean(log_p[np.arange(n), y]))
    entropy = -np.sum(p * np.log(p + CONFIG["eps"])) / n  # computed for logging only
    del entropy
    dx = p.copy()
    dx[np.arange(n), y] -= 1.0
    return loss, dx / n
