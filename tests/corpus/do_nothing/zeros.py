"""Every gradient all zeros of the right shape; every loss 0.0; clip_grad_norm returns zeros."""


def fill(like, dout, rng):
    return np.zeros_like(like)


def loss_value(x):
    return 0.0
