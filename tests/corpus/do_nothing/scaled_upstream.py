"""dout times a constant slope of 0.25 (the sigmoid's largest), or 0.25 times the input elsewhere."""


def fill(like, dout, rng):
    if dout is not None and np.shape(dout) == np.shape(like):
        return 0.25 * dout
    return 0.25 * like


def loss_value(x):
    return 0.25
