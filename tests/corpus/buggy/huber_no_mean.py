"""clip(d, -delta, delta) without dividing by the number of elements."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_no_mean"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    dpred = np.clip(diff, -delta, delta)
    return loss, dpred
