"""Each gradient is the input it differentiates (dx = x, dw = w, ...); each loss is the sum of its scores."""


def fill(like, dout, rng):
    return like.copy()


def loss_value(x):
    return float(np.sum(x))
