"""Clips the gradient to [-1, 1] whatever delta is."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_delta_ignored"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    dpred = np.clip(diff, -1, 1) / diff.size
    return loss, dpred
