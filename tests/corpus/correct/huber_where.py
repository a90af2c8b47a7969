"""huber_loss gradient with np.where and the sign."""

import numpy as np

TARGET = "layers"


def huber_loss(pred, target, delta=1.0):
    d = pred - target
    loss = float(np.mean(np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))))
    return loss, np.where(np.abs(d) <= delta, d, delta * np.sign(d)) / d.size
