"""softmax_loss one row at a time, loss and gradient written from scratch."""

import numpy as np

TARGET = "layers"


def softmax_loss(x, y):
    n = x.shape[0]
    loss = 0.0
    dx = np.empty_like(x, dtype=np.float64)
    for i in range(n):
        row = x[i] - np.max(x[i])
        e = np.exp(row)
        total = e.sum()
        loss += np.log(total) - row[y[i]]
        p = e / total
        p[y[i]] -= 1.0
        dx[i] = p / n
    return loss / n, dx
