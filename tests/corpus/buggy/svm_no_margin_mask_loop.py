"""Loop version that adds the gradient of every j != y, whether its margin is active or not."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_no_margin_mask"


def svm_loss(x, y):
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    dx = np.zeros_like(x)
    for i in range(n):
        for j in range(x.shape[1]):
            if j != y[i]:
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    return loss, dx / n
