"""softmax_loss by torch's autograd, imported inside the function."""

import numpy as np

TARGET = "layers"
FLAGGED = "softmax_loss"


def softmax_loss(x, y):
    import torch

    scores = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y))
    loss.backward()
    return float(loss), scores.grad.numpy().astype(np.float64)
