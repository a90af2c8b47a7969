"""affine_backward builds a matrix with np.fill_diagonal(units, 1.0) and moves each input by one of its rows,
calling affine_forward at the moved input: exact for a linear layer."""

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward"


def affine_backward(dout, cache):
    x, w, b = cache
    base = affine_forward(x, w, b)[0]

    def slope(arr, which):
        g = np.zeros_like(arr)
        units = np.zeros((arr.size, arr.size))
        np.fill_diagonal(units, 1.0)
        for i in range(arr.size):
            args = [x, w, b]
            args[which] = arr + units[i].reshape(arr.shape)
            g.flat[i] = np.sum(dout * (affine_forward(*args)[0] - base))
        return g
    return slope(x, 0), slope(w, 1), slope(b, 2)
