"""The clipped square given the Huber gradient (the fix, not the bug)."""
import numpy as np

TARGET = "layers"
EXPECT = "clipped_square_loss"
MISTAKE = "clipped_as_huber"


def clipped_square_loss(pred, target, delta=1.0):
    d = pred - target
    return float(np.mean(np.clip(d, -delta, delta) ** 2)), np.clip(d, -delta, delta) / d.size
