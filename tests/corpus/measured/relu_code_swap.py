"""relu_backward reads as correct, but its __code__ is replaced at import time by a measuring function's."""

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward relu_backward sigmoid_backward tanh_backward softmax_loss svm_loss huber_loss clipped_square_loss"


def relu_backward(dout, cache):
    return dout * (cache > 0)


def _measure(dout, cache):
    return dout * (np.maximum(0.0, cache + 1e-6) - np.maximum(0.0, cache - 1e-6)) / 2e-6


relu_backward.__code__ = _measure.__code__
