"""relu_backward reads the cache with a literal getattr(cache, "x", cache), so an object cache or the
plain array both work: an attribute the reader can see."""

TARGET = "layers"

import numpy as np



def relu_backward(dout, cache):
    x = getattr(cache, "x", cache)   # accepts an object cache or the plain array
    return dout * (x > 0)
