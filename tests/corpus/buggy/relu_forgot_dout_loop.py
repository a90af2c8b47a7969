"""Element by element: 1 where x > 0, else 0; dout never used."""
import numpy as np

TARGET = "layers"
EXPECT = "relu_backward"
MISTAKE = "relu_forgot_dout"


def relu_backward(dout, cache):
    x = cache
    dx = np.zeros(x.shape)
    flat_x = x.ravel()
    flat_dx = dx.ravel()
    for i in range(flat_x.size):
        if flat_x[i] > 0:
            flat_dx[i] = 1.0
    return dx
