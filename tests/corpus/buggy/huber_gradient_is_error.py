"""Huber gradient d / size everywhere: the quadratic piece's slope, never clipped."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_gradient_is_error"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    dpred = diff / diff.size
    return loss, dpred
