"""from torch import *: tensor and the autograd module arrive without a prefix."""

import numpy as np
from torch import *

TARGET = "layers"
FLAGGED = "softmax_loss"


def softmax_loss(x, y):
    scores = tensor(x, requires_grad=True)
    loss = -scores.log_softmax(1)[arange(len(y)), tensor(y)].mean()
    (dx,) = autograd.grad(loss, scores)
    return float(loss), np.asarray(dx.detach())
