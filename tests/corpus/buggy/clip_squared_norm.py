"""Forgets the square root: the sum of squares is used as the norm and for the scale."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_squared_norm"


def clip_grad_norm(grads, max_norm):
    total_norm = 0.0
    for g in grads.values():
        total_norm += np.sum(g * g)
    total_norm = float(total_norm)
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total_norm
