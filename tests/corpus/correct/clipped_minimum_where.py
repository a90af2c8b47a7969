"""clipped_square_loss as min(d**2, delta**2): the gradient is 2d where d**2 < delta**2, else 0."""

import numpy as np

TARGET = "layers"


def clipped_square_loss(pred, target, delta=1.0):
    d = pred - target
    sq = d * d
    loss = np.minimum(sq, delta * delta).mean()
    grad = np.where(sq < delta * delta, 2.0 * d, 0.0) / sq.size
    return float(loss), grad
