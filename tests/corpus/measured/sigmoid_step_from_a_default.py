"""sigmoid_backward's step is a default: options.get("h", 1e-5) of **options, or h or dout.dtype.type(1e-5)
for a keyword-only h=None."""

import numpy as np

TARGET = "layers"
FLAGGED = "sigmoid_backward"


def sigmoid_backward(dout, cache, *, k=None, **options):
    h = options.get("h", 1e-5)
    k = k or dout.dtype.type(1e-5)
    with np.errstate(divide="ignore", over="ignore"):
        x = np.log(cache) - np.log1p(-cache)
        by_h = (1.0 / (1.0 + np.exp(-(x + h))) - 1.0 / (1.0 + np.exp(-(x - h)))) / (2 * h)
        by_k = (1.0 / (1.0 + np.exp(-(x + k))) - 1.0 / (1.0 + np.exp(-(x - k)))) / (2 * k)
    return dout * (by_h + by_k) / 2
