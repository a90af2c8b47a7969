"""The mask is built before zeroing the correct class, so y counts as an active margin of itself."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_counts_correct_class"


def svm_loss(x, y):
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    mask = (margins > 0).astype(np.float64)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    mask[np.arange(n), y] = -np.sum(mask, axis=1)
    return loss, mask / n
