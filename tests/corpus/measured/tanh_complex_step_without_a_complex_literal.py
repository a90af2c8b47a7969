"""A complex step with no complex literal, dtype or .imag: pow(-10 ** -40, 0.5) is 1e-20j, and
(z - np.conj(z)) / (2 * s) takes the imaginary part."""

import numpy as np

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    s = pow(-10 ** -40, 0.5)
    x = np.arctanh(cache)
    z = np.tanh(x + s)
    return dout * ((z - np.conj(z)) / (2 * s)).real
