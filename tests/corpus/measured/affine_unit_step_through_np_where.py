"""affine_backward builds each moved input as np.where(mask, arr + 1.0, arr) inside the argument list
and calls affine_forward(*args): the move is wrapped in a numpy call."""

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward"


def affine_backward(dout, cache):
    x, w, b = cache

    def slope(arr, which):
        g = np.zeros_like(arr)
        base = affine_forward(x, w, b)[0]
        for i in range(arr.size):
            mask = np.arange(arr.size).reshape(arr.shape) == i
            args = [x, w, b]
            args[which] = np.where(mask, arr + 1.0, arr)
            g.flat[i] = np.sum(dout * (affine_forward(*args)[0] - base))
        return g
    return slope(x, 0), slope(w, 1), slope(b, 2)
