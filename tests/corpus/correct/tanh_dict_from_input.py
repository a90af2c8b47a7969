"""tanh caches a dict holding a copy of x; backward recomputes tanh(x) and writes dout - dout * t * t."""

import numpy as np

TARGET = "layers"


def tanh_forward(x):
    return np.tanh(x), {"input": np.array(x, dtype=np.float64)}


def tanh_backward(dout, cache):
    t = np.tanh(cache["input"])
    return dout - dout * t * t
