"""The step is what a context manager's __enter__ returns (with step_size() as h)."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


class step_size:
    def __enter__(self):
        return 1e-5

    def __exit__(self, *exc):
        return False


def tanh_backward(dout, cache):
    with step_size() as h:
        pass
    x = np.arctanh(cache)
    dx = dout * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h)
    return dx
