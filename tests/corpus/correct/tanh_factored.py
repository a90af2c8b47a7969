"""tanh_backward with the local gradient factored as (1 - y) * (1 + y)."""

import numpy as np

TARGET = "layers"


def tanh_backward(dout, cache):
    y = cache
    return dout * (1.0 - y) * (1.0 + y)
