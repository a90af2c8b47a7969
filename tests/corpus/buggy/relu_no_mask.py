"""Returns a copy of dout: the ReLU treated as the identity."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_no_mask"


def relu_backward(dout, cache):
    dx = np.copy(dout)
    return dx
