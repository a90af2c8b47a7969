"""svm_loss writes the hinge by reusing relu_forward(x - correct_scores + 1.0) and relu_backward: one
evaluation of a forward at a computed point, not a difference."""

import numpy as np

TARGET = "layers"


def svm_loss(x, y):
    """Hinge = relu of the margins: reuse the layers above."""
    n = x.shape[0]
    rows = np.arange(n)
    correct_scores = x[rows, y][:, None]
    margins, relu_cache = relu_forward(x - correct_scores + 1.0)
    margins[rows, y] = 0.0
    loss = float(margins.sum() / n)
    dmargins = np.ones_like(margins) / n
    dmargins[rows, y] = 0.0
    dpre = relu_backward(dmargins, relu_cache)
    dx = dpre.copy()
    dx[rows, y] -= dpre.sum(axis=1)
    return loss, dx
