"""tanh_backward reads as correct, but a function called at import time rebinds it (global tanh_backward)
to a finite difference."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    return dout * (1.0 - cache**2)


def _install():
    global tanh_backward

    def tanh_backward(dout, cache):
        x = np.arctanh(cache)
        return dout * (np.tanh(x + 1e-6) - np.tanh(x - 1e-6)) / 2e-6


_install()
