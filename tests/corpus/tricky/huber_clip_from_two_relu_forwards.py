"""huber_loss writes the clip with two calls of relu_forward, at diff - delta and at -diff - delta: the
forward evaluated twice at computed inputs (a bound), not at moved ones."""

import numpy as np

TARGET = "layers"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    over, _ = relu_forward(diff - delta)
    under, _ = relu_forward(-diff - delta)
    inner = diff - over + under
    loss = float((0.5 * inner**2 + delta * (over + under)).mean())
    dpred = inner / diff.size
    return loss, dpred
