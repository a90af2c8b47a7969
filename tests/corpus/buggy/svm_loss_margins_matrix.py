"""The SVM loss returned as the matrix of margins, shape (N, C): neither summed nor averaged."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_loss_not_reduced"


def svm_loss(x, y):
    n = x.shape[0]
    margins = np.maximum(0, x - x[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    dx = (margins > 0).astype(float)
    dx[np.arange(n), y] = -dx.sum(axis=1)
    return margins, dx / n
