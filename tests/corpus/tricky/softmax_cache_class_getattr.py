"""softmax keeps its probabilities in a small class whose __getattr__ method answers for missing
fields with a clear error: a class's own hook for its instances, not a module-level __getattr__."""

import numpy as np

TARGET = "layers"


class LossCache:
    """The probabilities and labels the loss keeps, with a helpful error for a misspelt field."""

    def __init__(self, probs, y):
        self.probs, self.y = probs, y

    def __getattr__(self, name):
        raise AttributeError(f"LossCache has no field {name!r}: it keeps probs and y")


def softmax_loss(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    cache = LossCache(np.exp(log_probs), y)
    n = x.shape[0]
    loss = float(-log_probs[np.arange(n), y].mean())
    dx = cache.probs.copy()
    dx[np.arange(n), cache.y] -= 1.0
    return loss, dx / n
