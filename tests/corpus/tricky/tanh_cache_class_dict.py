"""tanh keeps its output in a tiny attribute-bag class whose __init__ does self.__dict__.update(values):
an object's own attributes, not code."""

TARGET = "layers"

import numpy as np



class Cache:
    """A tiny attribute bag for what the forward keeps."""

    def __init__(self, **values):
        self.__dict__.update(values)


def tanh_forward(x):
    out = np.tanh(x)
    return out, Cache(out=out)


def tanh_backward(dout, cache):
    return dout * (1.0 - cache.out ** 2)
