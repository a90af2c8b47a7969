"""Right values, but the cached output is turned into 1 - z in place."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_modifies_cache"


def sigmoid_backward(dout, cache):
    z = cache
    dx = dout * z
    np.subtract(1.0, z, out=z)
    dx = dx * z
    return dx
