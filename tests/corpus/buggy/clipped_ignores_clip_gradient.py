"""2 clip(d) / size everywhere: the clip's own zero gradient outside [-delta, delta] is ignored."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_ignores_clip_gradient"


def clipped_square_loss(pred, target, delta=1.0):
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    dpred = 2.0 * clipped / diff.size
    return loss, dpred
