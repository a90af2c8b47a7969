"""2 clip(d) [|d| <= delta] without dividing by the number of elements."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_no_mean"


def clipped_square_loss(pred, target, delta=1.0):
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    inside = np.abs(diff) <= delta
    dpred = 2.0 * clipped * inside
    return loss, dpred
