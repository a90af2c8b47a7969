"""Forwards changed to return NaN (so their finite differences are NaN) and backwards of noise."""
FORWARD = "nan"


def fill(like, dout, rng):
    return rng.standard_normal(np.shape(like))


def loss_value(x):
    return float("nan")
