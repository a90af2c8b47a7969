"""Every gradient a constant array (0.5 everywhere); every loss 1.0."""


def fill(like, dout, rng):
    return np.full_like(like, 0.5)


def loss_value(x):
    return 1.0
