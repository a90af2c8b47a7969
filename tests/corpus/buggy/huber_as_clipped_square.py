"""Gives the clipped square's gradient 2 clip(d) [|d| <= delta]: the bug instead of the fix."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_as_clipped_square"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    inside = abs_diff <= delta
    dpred = 2 * np.clip(diff, -delta, delta) * inside / diff.size
    return loss, dpred
