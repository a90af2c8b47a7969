"""Huber gradient = sign(d) * delta everywhere."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_gradient_is_sign"


def huber_loss(pred, target, delta=1.0):
    d = pred - target
    loss = float(np.mean(np.where(np.abs(d) <= delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))))
    return loss, np.sign(d) * delta / d.size
