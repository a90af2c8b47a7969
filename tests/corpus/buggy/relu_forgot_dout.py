"""Returns the local gradient (x > 0) without multiplying by dout."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_forgot_dout"


def relu_backward(dout, cache):
    x = cache
    dx = (x > 0).astype(np.float64)
    return dx
