"""affine keeps its inputs in a small attribute-bag class whose __init__(self, **kwargs) sets each keyword
with setattr(self, key, value) over kwargs.items(): the object's own attributes, named by the call
that builds it, not code."""

import numpy as np

TARGET = "layers"


class Cache:
    """What the forward keeps, one attribute per keyword."""

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, Cache(x=x, w=w, b=b)


def affine_backward(dout, cache):
    x, w = cache.x, cache.w
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
