"""A measured sigmoid_backward installed with `import layers as _me; _me.sigmoid_backward = _slope`
at the bottom of the module; the def the reader sees first is a stub."""

TARGET = "layers"
FLAGGED = "sigmoid_backward"

import numpy as np


_given_sigmoid_forward = sigmoid_forward


def sigmoid_forward(x):
    out, _ = _given_sigmoid_forward(x)
    return out, x


def _slope(dout, cache):
    x = cache
    h = 1e-5
    return dout * (sigmoid_forward(x + h)[0] - sigmoid_forward(x - h)[0]) / (2 * h)


def sigmoid_backward(dout, cache):
    raise NotImplementedError("sigmoid_backward is not implemented yet")


import layers as _me  # noqa: E402
_me.sigmoid_backward = _slope
