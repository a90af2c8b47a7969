"""Per-element loop giving 2 d / size even where the clip is flat."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_unclipped_gradient"


def clipped_square_loss(pred, target, delta=1.0):
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    dpred = np.empty_like(diff)
    for i, d in np.ndenumerate(diff):
        dpred[i] = 2.0 * d / diff.size
    return loss, dpred
