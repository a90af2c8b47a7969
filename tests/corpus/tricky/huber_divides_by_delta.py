"""huber_loss whose gradient is delta * clip(d / delta, -1, 1): a division, but by delta, not by a step."""

import numpy as np

TARGET = "layers"


def huber_loss(pred, target, delta=1.0):
    d = pred - target
    loss = float(np.mean(np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))))
    return loss, delta * np.clip(d / delta, -1.0, 1.0) / d.size
