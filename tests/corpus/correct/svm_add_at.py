"""svm_loss vectorised, with np.add.at subtracting each row's active count at its label."""

import numpy as np

TARGET = "layers"


def svm_loss(x, y):
    n = x.shape[0]
    rows = np.arange(n)
    margins = x - x[rows, y][:, np.newaxis] + 1.0
    margins[rows, y] = 0.0
    positive = margins > 0
    loss = np.maximum(margins, 0.0).sum() / n
    dx = positive.astype(np.float64)
    np.add.at(dx, (rows, y), -positive.sum(axis=1))
    return float(loss), dx / n
