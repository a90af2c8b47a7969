"""Forwards changed to return inf and backwards of zeros."""
FORWARD = "inf"


def fill(like, dout, rng):
    return np.zeros_like(like)


def loss_value(x):
    return float("inf")
