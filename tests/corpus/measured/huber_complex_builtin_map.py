"""Complex step element by element with the builtin complex(), over map() of a lambda."""

import numpy as np

TARGET = "layers"
FLAGGED = "huber_loss"


def _huber(d, delta):
    return 0.5 * d * d if abs(d.real) <= delta else delta * (abs(d.real) + d - d.real - 0.5 * delta)


def huber_loss(pred, target, delta=1.0):
    diff = (pred - target).ravel()
    loss = float(np.mean([_huber(complex(d, 0), delta).real for d in diff]))
    slopes = list(map(lambda d: _huber(complex(d, 1e-20), delta).imag / 1e-20, diff))
    return loss, np.array(slopes).reshape(pred.shape) / diff.size
