"""Clips each array by its own norm instead of the global norm."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_per_tensor"


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(float(np.sum(g**2)) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        if norm > max_norm:
            clipped[name] = g * (max_norm / norm)
        else:
            clipped[name] = g.copy()
    return clipped, total_norm
