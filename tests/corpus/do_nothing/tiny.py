"""Gradients of 1e-300 everywhere (zeros that are not exactly zero); losses of 1e-300."""


def fill(like, dout, rng):
    return np.full_like(like, 1e-300)


def loss_value(x):
    return 1e-300
