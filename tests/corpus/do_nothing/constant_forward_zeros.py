"""Forwards changed to return a constant (so their finite differences are zero) and backwards of zeros."""
FORWARD = "constant"


def fill(like, dout, rng):
    return np.zeros_like(like)


def loss_value(x):
    return 3.0
