"""svm_loss walks the rows and reuses relu_forward(x[i] - x[i, y[i]] + 1.0) for each row's margins: the
forward evaluated in a loop at a computed input (a margin), not at a moved one."""

import numpy as np

TARGET = "layers"


def svm_loss(x, y):
    n = x.shape[0]
    loss = 0.0
    dx = np.zeros_like(x)
    for i in range(n):
        m, _ = relu_forward(x[i] - x[i, y[i]] + 1.0)
        m[y[i]] = 0.0
        loss += m.sum()
        act = (m > 0).astype(np.float64)
        dx[i] = act
        dx[i, y[i]] = -act.sum()
    return float(loss / n), dx / n
