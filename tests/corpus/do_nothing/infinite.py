"""Every gradient +inf; every loss inf."""


def fill(like, dout, rng):
    return np.full_like(like, np.inf)


def loss_value(x):
    return float("inf")
