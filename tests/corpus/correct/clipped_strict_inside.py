"""clipped_square_loss gradient 2d inside (strictly), 0 outside: the other subgradient at |d| == delta."""

import numpy as np

TARGET = "layers"


def clipped_square_loss(pred, target, delta=1.0):
    d = pred - target
    loss = float(np.mean(np.clip(d, -delta, delta) ** 2))
    return loss, np.where(np.abs(d) < delta, 2.0 * d, 0.0) / d.size
