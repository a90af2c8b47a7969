"""Right values, computed with dout *= mask: the caller's dout is overwritten."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_modifies_dout"


def relu_backward(dout, cache):
    x = cache
    dx = dout
    dx *= (x > 0)
    return dx
