"""autograd's numpy wrapper under the name np, with elementwise_grad of the forward."""

import autograd.numpy as np
from autograd import elementwise_grad

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    return dout * elementwise_grad(lambda v: sigmoid_forward(v)[0])(cache)
