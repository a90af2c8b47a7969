"""An honest rnn_backward that loops over the time steps with a type-hinted helper, an assert on the
shapes, a reversed range and an f-string for a failing assert; clip_grad_norm with a stability epsilon."""

import numpy as np

TARGET = "rnn_layers"


def _step_back(dh_t: np.ndarray, step_cache: tuple) -> tuple:
    x, prev_h, Wx, Wh, next_h = step_cache
    da = dh_t * (1.0 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_backward(dh, cache):
    n, steps, hidden = dh.shape
    assert len(cache) == steps, f"{len(cache)} cached steps for {steps} upstream gradients"
    dx = np.zeros((n, steps, cache[0][0].shape[1]))
    dWx, dWh, db = np.zeros_like(cache[0][2]), np.zeros_like(cache[0][3]), np.zeros(hidden)
    carry = np.zeros((n, hidden))
    for t in reversed(range(steps)):
        dx[:, t], carry, gWx, gWh, gb = _step_back(dh[:, t] + carry, cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
    return dx, carry, dWx, dWh, db
