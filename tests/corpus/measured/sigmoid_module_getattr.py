"""A module-level __getattr__ (PEP 562) that returns a measuring sigmoid_backward (it would, once the
def is gone): a module hook is code the grader cannot follow, so every graded function of the module is flagged."""

TARGET = "layers"
FLAGGED = "affine_backward relu_backward sigmoid_backward tanh_backward softmax_loss svm_loss huber_loss clipped_square_loss"

import numpy as np


_given_sigmoid_forward = sigmoid_forward


def sigmoid_forward(x):
    out, _ = _given_sigmoid_forward(x)
    return out, x


def _slope(dout, cache):
    x = cache
    h = 1e-5
    return dout * (sigmoid_forward(x + h)[0] - sigmoid_forward(x - h)[0]) / (2 * h)


def __getattr__(name):
    if name == "sigmoid_backward":
        return _slope
    raise AttributeError(name)
