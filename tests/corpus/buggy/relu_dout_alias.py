"""dx = dout is an alias, not a copy: zeroing dx where x <= 0 zeroes the caller's dout too."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_modifies_dout"


def relu_backward(dout, cache):
    x = cache
    dx = dout
    dx[x <= 0] = 0
    return dx
