"""softmax_loss moves each column by a step that a property returns (Settings().h)."""

import numpy as np

TARGET = "layers"
FLAGGED = "softmax_loss"


class Settings:
    @property
    def h(self):
        return 1e-5


def _row_losses(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(x.shape[0]), y]


def softmax_loss(x, y):
    n = x.shape[0]
    loss = float(_row_losses(x, y).mean())
    h = Settings().h
    dx = np.zeros_like(x)
    for j in range(x.shape[1]):
        plus, minus = x.copy(), x.copy()
        plus[:, j] = x[:, j] + h
        minus[:, j] = x[:, j] - h
        dx[:, j] = (_row_losses(plus, y) - _row_losses(minus, y)) / (2 * h) / n
    return loss, dx
