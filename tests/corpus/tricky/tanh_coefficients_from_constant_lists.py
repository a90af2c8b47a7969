"""tanh_backward reads its polynomial's coefficients from written lists and a tuple of constants (items
the reader knows, none a step) and clips with a margin from a list."""

import numpy as np

TARGET = "layers"

COEFFICIENTS = [1.0, -1.0]
LIMITS = (0.0, 1.0)


def tanh_backward(dout, cache):
    y = cache
    local = COEFFICIENTS[0] + COEFFICIENTS[1] * y * y
    return dout * np.clip(local, LIMITS[0], LIMITS[1] + [1e-12][0]) / LIMITS[1]
