"""clip_grad_norm through one concatenated vector; always returns copies."""

import numpy as np

TARGET = "rnn_layers"


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads.values()])
    total = float(np.linalg.norm(flat))
    factor = min(1.0, max_norm / total) if total > 0 else 1.0
    return {k: np.array(g) * factor for k, g in grads.items()}, total
