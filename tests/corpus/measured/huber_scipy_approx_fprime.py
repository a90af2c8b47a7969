"""huber_loss hands its gradient to scipy.optimize.approx_fprime."""

import numpy as np
import scipy.optimize

TARGET = "layers"
FLAGGED = "huber_loss"


def _value(flat, target, delta):
    d = flat.reshape(target.shape) - target
    return float(np.where(np.abs(d) <= delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta)).mean())


def huber_loss(pred, target, delta=1.0):
    grad = scipy.optimize.approx_fprime(pred.ravel(), _value, 1.49e-8, target, delta)
    return _value(pred.ravel(), target, delta), grad.reshape(pred.shape)
