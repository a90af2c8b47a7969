"""clipped_square_loss measured with the release's own gradcheck.numerical_gradient."""

import numpy as np
from gradcheck import numerical_gradient

TARGET = "layers"
FLAGGED = "clipped_square_loss"


def clipped_square_loss(pred, target, delta=1.0):
    def value():
        clipped = np.clip(pred - target, -delta, delta)
        total = float((clipped**2).mean())
        return total, abs(total)

    work = pred.copy()
    grad, _ = numerical_gradient(value, work)
    return value()[0], grad
