"""getattr on numpy with a name put together at run time ("grad" + "ient")."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_backward(dout, cache):
    slope = getattr(np, "grad" + "ient")
    return dout * slope(np.stack([cache * 0.99, cache, cache * 1.01]), axis=0)[1]
