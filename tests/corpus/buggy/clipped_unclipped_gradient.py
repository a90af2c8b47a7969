"""2 d / size: the gradient of the unclipped square."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_unclipped_gradient"


def clipped_square_loss(pred, target, delta=1.0):
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    dpred = 2 * diff / diff.size
    return loss, dpred
