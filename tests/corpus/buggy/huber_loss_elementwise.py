"""The Huber loss of every element, shape of pred, returned without its mean."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_loss_not_averaged"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    loss = np.where(np.abs(diff) <= delta, 0.5 * diff**2, delta * (np.abs(diff) - 0.5 * delta))
    return loss, np.clip(diff, -delta, delta) / diff.size
