"""Each gradient is dout where the shapes allow (the identity's backward), else zeros; losses the mean score."""


def fill(like, dout, rng):
    if dout is not None and np.shape(dout) == np.shape(like):
        return dout.copy()
    return np.zeros_like(like)


def loss_value(x):
    return float(np.mean(x))
