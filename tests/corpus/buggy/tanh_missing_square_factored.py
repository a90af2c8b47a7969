"""Local gradient written as (1 - y) only; the (1 + y) factor is lost."""
import numpy as np

TARGET = "layers"
EXPECT = "tanh_backward"
MISTAKE = "tanh_missing_square"


def tanh_backward(dout, cache):
    out = cache
    local_grad = np.subtract(1.0, out)
    dx = np.multiply(dout, local_grad)
    return dx
