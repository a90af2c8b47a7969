"""clip_grad_norm with a 1e-8 in the denominator for stability, and 1e-12 as a floor on the norm."""

import numpy as np

TARGET = "rnn_layers"


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    eps = 1e-8
    scale = max_norm / (max(total_norm, 1e-12) + eps) if total_norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total_norm
