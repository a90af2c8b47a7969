"""Differentiates with target - pred: the gradient has the wrong sign."""
import numpy as np

TARGET = "layers"
EXPECT = "huber_loss"
MISTAKE = "huber_sign_flipped"


def huber_loss(pred, target, delta=1.0):
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    error = target - pred
    dpred = np.clip(error, -delta, delta) / error.size
    return loss, dpred
