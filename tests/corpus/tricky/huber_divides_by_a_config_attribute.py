"""huber_loss divides by settings.reduction, an attribute of a module-level namespace the reader cannot
fold (a possible step), but nothing is moved by a step: a division alone is no difference quotient."""

import types

import numpy as np

TARGET = "layers"

settings = types.SimpleNamespace(reduction=1.0, name="huber")


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    loss = float(np.where(abs_diff <= delta, 0.5 * diff ** 2, delta * (abs_diff - 0.5 * delta)).mean())
    dpred = np.clip(diff, -delta, delta) / diff.size / settings.reduction
    return loss / settings.reduction, dpred
