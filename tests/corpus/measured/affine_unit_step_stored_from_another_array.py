"""affine_backward sets one element of a copy to the original's plus 1.0 (moved.flat[i] = arr.flat[i] + 1.0),
a store whose value reads another array than the one it writes, and calls affine_forward(*args)."""

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward"


def affine_backward(dout, cache):
    x, w, b = cache

    def slope(arr, which):
        g = np.zeros_like(arr)
        for i in range(arr.size):
            moved = arr.copy()
            moved.flat[i] = arr.flat[i] + 1.0
            args = [x, w, b]
            args[which] = moved
            g.flat[i] = np.sum(dout * (affine_forward(*args)[0] - affine_forward(x, w, b)[0]))
        return g
    return slope(x, 0), slope(w, 1), slope(b, 2)
