"""Hinge gradient right per row, but not divided by N."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_no_mean"


def svm_loss(x, y):
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    binary = margins > 0
    dx = binary.astype(float)
    dx[np.arange(n), y] = -binary.sum(axis=1)
    return loss, dx
