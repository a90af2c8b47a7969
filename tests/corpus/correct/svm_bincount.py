"""svm_loss with the correct-class counts scattered by np.bincount on flat indices."""

import numpy as np

TARGET = "layers"


def svm_loss(x, y):
    n, c = x.shape
    correct = np.choose(y, x.T)
    margins = np.maximum(0.0, x - correct[:, None] + 1.0)
    not_label = np.arange(c)[None, :] != y[:, None]
    margins = margins * not_label
    active = (margins > 0).astype(np.float64)
    flat = np.arange(n) * c + y
    at_label = np.bincount(flat, weights=active.sum(axis=1), minlength=n * c).reshape(n, c)
    return float(margins.sum()) / n, (active - at_label) / n
