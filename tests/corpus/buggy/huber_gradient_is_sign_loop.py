"""Per element: delta * sign(d) whatever |d|, the linear piece's slope everywhere."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_gradient_is_sign"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    dpred = np.zeros_like(pred)
    flat = diff.ravel()
    out = dpred.ravel()
    for i in range(flat.size):
        if flat[i] > 0:
            out[i] = delta
        elif flat[i] < 0:
            out[i] = -delta
    return loss, dpred / diff.size
