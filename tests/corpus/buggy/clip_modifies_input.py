"""Scales the input arrays in place with *= and returns them."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_modifies_input"


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    if total_norm > max_norm:
        for g in grads.values():
            g *= max_norm / total_norm
    return grads, total_norm
