"""Rescales even below max_norm."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_always_rescales"


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    return {k: g * (max_norm / total) for k, g in grads.items()}, total
