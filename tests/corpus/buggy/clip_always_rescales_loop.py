"""Always multiplies by max_norm / total_norm, which scales small gradients up."""
import math

import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_always_rescales"


def clip_grad_norm(grads, max_norm):
    sq = 0.0
    for g in grads.values():
        sq += float((g**2).sum())
    total_norm = math.sqrt(sq)
    scale = max_norm / total_norm
    clipped = {}
    for k in grads:
        clipped[k] = grads[k] * scale
    return clipped, total_norm
