"""At import time, the module's global sigmoid_backward is replaced through a traceback frame's
f_globals (no `global`, no globals(), no __dict__): every graded function of the module is flagged."""

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


def sigmoid_backward(dout, cache):
    raise NotImplementedError


try:
    raise LookupError
except LookupError as _e:
    _e.__traceback__.tb_frame.f_globals["sigmoid_backward"] = _slope
