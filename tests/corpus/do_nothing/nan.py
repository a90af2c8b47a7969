"""Every gradient NaN; every loss NaN."""


def fill(like, dout, rng):
    return np.full_like(like, np.nan)


def loss_value(x):
    return float("nan")
