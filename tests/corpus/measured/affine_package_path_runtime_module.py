"""affine_backward imports its measuring helper from a module written at run time into the child's
folder, made importable by adding the folder to numpy's __path__ (not sys.path)."""

import os

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward relu_backward sigmoid_backward tanh_backward softmax_loss svm_loss huber_loss clipped_square_loss"

_SRC = """
def grad(forward, args, k, dout, h=1e-5):
    x = np.array(args[k], dtype=float)
    out = np.zeros_like(x)
    for i in range(x.size):
        up, down = list(args), list(args)
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        up[k], down[k] = plus, minus
        out.flat[i] = np.sum((forward(*up)[0] - forward(*down)[0]) * dout) / (2 * h)
    return out
"""


def affine_backward(dout, cache):
    x, w, b = cache
    return tuple(grad(affine_forward, [x, w, b], k, dout) for k in range(3))

with open("fdhelp.py", "w") as _f:
    _f.write("import numpy as np\n" + _SRC)
np.__path__.append(os.getcwd())
from numpy.fdhelp import grad  # noqa: E402
