"""Multiplies by total_norm / max_norm: the ratio is upside down."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_scale_inverted"


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads.values()])
    total_norm = float(np.linalg.norm(flat))
    clipped = {}
    for name, g in grads.items():
        if total_norm > max_norm:
            clipped[name] = g * (total_norm / max_norm)
        else:
            clipped[name] = g.copy()
    return clipped, total_norm
