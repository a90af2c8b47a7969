"""clipped_square_loss gradient 2 d times the in-range mask (-delta <= d <= delta)."""

import numpy as np

TARGET = "layers"


def clipped_square_loss(pred, target, delta=1.0):
    d = pred - target
    loss = float(np.mean(np.clip(d, -delta, delta) ** 2))
    in_range = (d >= -delta) & (d <= delta)
    return loss, 2.0 * d * in_range / d.size
