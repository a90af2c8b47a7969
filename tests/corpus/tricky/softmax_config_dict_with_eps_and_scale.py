"""softmax_loss reads two entries of one config dict: an epsilon that guards a log (a perturbation) and a
scale of 1.0 it divides by. The item a key picks is read, not the dict's smallest entry: no step."""

import numpy as np

TARGET = "layers"

CONFIG = {"eps": 1e-12, "scale": 1.0}


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
    return loss / CONFIG["scale"], dx / (n * CONFIG["scale"])
