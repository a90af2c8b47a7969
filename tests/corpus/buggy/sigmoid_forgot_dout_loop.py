"""Per element s * (1 - s); the upstream gradient is never used."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_forgot_dout"


def sigmoid_backward(dout, cache):
    out = cache
    dx = np.empty_like(dout)
    for idx in np.ndindex(out.shape):
        s = out[idx]
        dx[idx] = s * (1.0 - s)
    return dx
