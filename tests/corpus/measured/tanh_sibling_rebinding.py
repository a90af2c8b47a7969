"""rnn_layers imports layers and replaces its tanh_backward with a centred difference, from inside a
function that runs at import time; layers' own def is untouched."""

import numpy as np

TARGET = "rnn_layers"
FLAGGED = "tanh_backward"


def _install():
    import layers

    def _slope(dout, cache):
        y = cache
        x = np.arctanh(y)
        step = 1e-5
        return dout * (np.tanh(x + step) - np.tanh(x - step)) / (2 * step)

    layers.tanh_backward = _slope


_install()
