"""Clips the values, not the norm."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_values"


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total
