"""huber_loss gradient as np.minimum(np.maximum(d, -delta), delta) / d.size."""

import numpy as np

TARGET = "layers"


def huber_loss(pred, target, delta=1.0):
    d = pred - target
    small = np.abs(d) <= delta
    loss = np.sum(np.where(small, 0.5 * d**2, delta * np.abs(d) - 0.5 * delta**2)) / d.size
    return float(loss), np.minimum(np.maximum(d, -delta), delta) / d.size
