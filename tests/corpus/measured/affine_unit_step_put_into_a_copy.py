"""affine_backward moves one element of a copy by 1.0 with np.put(moved, i, arr.flat[i] + 1.0),
puts the copy into the argument list and calls affine_forward(*args): exact for a linear layer, no division."""

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward"


def affine_backward(dout, cache):
    x, w, b = cache

    def slope(arr, which):
        g = np.zeros_like(arr)
        for i in range(arr.size):
            moved = arr.copy()
            np.put(moved, i, arr.flat[i] + 1.0)
            args = [x, w, b]
            args[which] = moved
            g.flat[i] = np.sum(dout * (affine_forward(*args)[0] - affine_forward(x, w, b)[0]))
        return g
    return slope(x, 0), slope(w, 1), slope(b, 2)
