"""Per-array norms in a dict comprehension; the global norm is reported but not used."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "clip_grad_norm"
MISTAKE = "clip_per_tensor"


def clip_grad_norm(grads, max_norm):
    norms = {k: float(np.sqrt(np.sum(v * v))) for k, v in grads.items()}
    total_norm = float(np.sqrt(sum(n**2 for n in norms.values())))
    clipped = {k: v * min(1.0, max_norm / norms[k]) for k, v in grads.items()}
    return clipped, total_norm
