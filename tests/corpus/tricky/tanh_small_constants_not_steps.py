"""tanh caches x; the backward uses 1 - tanh(x)**2 at the cached point, a 1e-5 threshold in a comparison
and np.clip with a 1e-12 margin: small constants that are not steps."""

import numpy as np

TARGET = "layers"


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    t = np.clip(np.tanh(cache), -1.0, 1.0)
    local = np.where(np.abs(cache) < 1e-5, 1.0 - cache * cache, 1.0 - t * t)
    return dout * np.clip(local, 0.0, 1.0 + 1e-12)
