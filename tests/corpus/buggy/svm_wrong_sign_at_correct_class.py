"""Adds the number of active margins at the correct class instead of subtracting it."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_wrong_sign_at_correct_class"


def svm_loss(x, y):
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    active = (margins > 0).astype(np.float64)
    counts = active.sum(axis=1)
    active[np.arange(n), y] += counts
    return loss, active / n
