"""Correct values, but zeroes dout in place."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_modifies_dout"


def relu_backward(dout, cache):
    dout[cache <= 0] = 0.0
    return dout
