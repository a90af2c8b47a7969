"""np.where(dout > 0, dout, 0): the mask is taken from the upstream gradient."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_mask_from_dout"


def relu_backward(dout, cache):
    x = cache
    dx = np.where(dout > 0, dout, 0.0)
    return dx
