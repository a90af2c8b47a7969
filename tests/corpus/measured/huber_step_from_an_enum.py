"""huber_loss takes its step from an enum member's value (Step.CENTRAL.value)."""

import enum

import numpy as np

TARGET = "layers"
FLAGGED = "huber_loss"


class Step(enum.Enum):
    CENTRAL = 1e-6


def huber_loss(pred, target, delta=1.0):
    def elementwise(p):
        d = p - target
        return np.where(np.abs(d) <= delta, 0.5 * d ** 2, delta * (np.abs(d) - 0.5 * delta))
    loss = float(elementwise(pred).mean())
    h = Step.CENTRAL.value
    dpred = (elementwise(pred + h) - elementwise(pred - h)) / (2 * h) / pred.size
    return loss, dpred
