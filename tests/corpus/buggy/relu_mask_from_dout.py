"""ReLU mask taken from dout."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_mask_from_dout"


def relu_backward(dout, cache):
    return dout * (dout > 0)
