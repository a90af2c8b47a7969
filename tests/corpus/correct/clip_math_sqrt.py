"""clip_grad_norm with math.sqrt over a dot-product sum, copies even when nothing is clipped."""

import math

import numpy as np

TARGET = "rnn_layers"


def clip_grad_norm(grads, max_norm):
    squares = 0.0
    for g in grads.values():
        flat = g.ravel()
        squares += float(np.dot(flat, flat))
    total_norm = math.sqrt(squares)
    factor = max_norm / total_norm if total_norm > max_norm else 1.0
    clipped = {}
    for name in grads:
        clipped[name] = np.copy(grads[name]) * factor
    return clipped, total_norm
