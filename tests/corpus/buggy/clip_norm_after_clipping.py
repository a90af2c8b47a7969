"""Clips right, but reports the norm measured after clipping."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_norm_after_clipping"


def clip_grad_norm(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    clipped = dict(grads)
    if total_norm > max_norm:
        clipped = {k: g * (max_norm / total_norm) for k, g in grads.items()}
    else:
        clipped = {k: g.copy() for k, g in grads.items()}
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in clipped.values())))
    return clipped, total_norm
