"""Treats every margin as active."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_no_margin_mask"


def svm_loss(x, y):
    n, c = x.shape
    margins = np.maximum(0, x - x[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    dx = np.ones_like(x)
    dx[np.arange(n), y] = -(c - 1)
    return float(margins.sum() / n), dx / n
