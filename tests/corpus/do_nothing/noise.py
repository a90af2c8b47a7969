"""Each gradient random normal noise; each loss a random number."""


def fill(like, dout, rng):
    return rng.standard_normal(np.shape(like))


def loss_value(x):
    return float(np.random.default_rng().standard_normal())
