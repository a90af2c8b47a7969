"""clip(d) [|d| <= delta] / size: the 2 of the square is forgotten."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_no_factor_two"


def clipped_square_loss(pred, target, delta=1.0):
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    mask = (np.abs(diff) <= delta).astype(float)
    dpred = clipped * mask / diff.size
    return loss, dpred
