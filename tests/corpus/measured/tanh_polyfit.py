"""The slope of tanh by fitting a line through samples around each cached input (np.polyfit)."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    offsets = np.array([-1.0, 0.0, 1.0]) * 1e-4
    slopes = [np.polyfit(v + offsets, np.tanh(v + offsets), 1)[0] for v in cache.ravel()]
    return dout * np.reshape(slopes, cache.shape)
