"""relu_backward element by element with np.nditer, allocating the output through the iterator."""

import numpy as np

TARGET = "layers"


def relu_backward(dout, cache):
    x = cache
    with np.nditer([x, dout, None], op_dtypes=[None, None, np.float64]) as it:
        for xi, gi, out in it:
            out[...] = gi if xi > 0 else 0.0
        return it.operands[2]
