"""Only the active wrong classes get +1; the correct class's -count is missing."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_correct_class_not_updated"


def svm_loss(x, y):
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    dx = np.where(margins > 0, 1.0, 0.0) / n
    return loss, dx
