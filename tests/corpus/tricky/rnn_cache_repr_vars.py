"""rnn_step keeps its cache in a small class whose __repr__ lists the shapes of its fields with
vars(self).items(), and whose copy helper reads vars(self) too: an object's own attributes, not code."""

import numpy as np

TARGET = "rnn_layers"


class StepCache:
    """What rnn_step_forward keeps for the backward."""

    def __init__(self, x, prev_h, Wx, Wh, next_h):
        self.x, self.prev_h, self.Wx, self.Wh, self.next_h = x, prev_h, Wx, Wh, next_h

    def __iter__(self):  # rnn_backward unpacks a step's cache as (x, prev_h, Wx, Wh, next_h)
        return iter((self.x, self.prev_h, self.Wx, self.Wh, self.next_h))

    def __repr__(self):
        fields = ", ".join(f"{name}={value.shape}" for name, value in vars(self).items())
        return f"StepCache({fields})"

    def shapes(self):
        return {name: np.shape(value) for name, value in vars(self).items()}


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, StepCache(x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    assert cache.shapes()["x"][0] == dnext_h.shape[0], repr(cache)
    da = dnext_h * (1.0 - cache.next_h ** 2)
    dx = da @ cache.Wx.T
    dprev_h = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
