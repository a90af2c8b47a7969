"""sigmoid caches x; the backward carries @np.errstate as a decorator and scales by functools.partial of
np.multiply: readable wrappers, no measurement."""

import functools

import numpy as np

TARGET = "layers"

_half = functools.partial(np.multiply, 0.5)


def sigmoid_forward(x):
    return _half(1.0 + np.tanh(_half(x))), x


@np.errstate(over="ignore")
def sigmoid_backward(dout, cache):
    return dout / (2.0 + 2.0 * np.cosh(cache))
