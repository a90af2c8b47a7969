"""Right values, but overwrites the cached output."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_modifies_cache"


def sigmoid_backward(dout, cache):
    cache *= 1.0 - cache
    return dout * cache
