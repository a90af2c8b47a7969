"""clip_grad_norm folding per-array norms together with np.hypot; np.multiply into new arrays."""

import numpy as np

TARGET = "rnn_layers"


def clip_grad_norm(grads, max_norm):
    total_norm = 0.0
    for g in grads.values():
        total_norm = float(np.hypot(total_norm, np.linalg.norm(g)))
    if total_norm <= max_norm:
        return {k: g.copy() for k, g in grads.items()}, total_norm
    ratio = max_norm / total_norm
    return {k: np.multiply(g, ratio) for k, g in grads.items()}, total_norm
