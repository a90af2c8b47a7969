"""A vanilla recurrent network and gradient-norm clipping for the backprop assignment.

Essay link (section 3, exploding gradients in RNNs): backprop through time multiplies the gradient
by Wh.T (and tanh's local gradient) at every step, so it explodes when the spectral radius of Wh
exceeds 1 and vanishes when it is below 1. Clipping the global gradient norm tames the explosion.

The forward passes are given; write every backward pass and clip_grad_norm. Arrays are float64; a
backward must not modify its upstream gradient or its cache. Run ``pytest`` in this folder.
"""

import numpy as np


from layers import *  # the step functions live in layers.py


def rnn_forward(x, h0, Wx, Wh, b):
    """A vanilla RNN over a whole sequence of T steps.

    Inputs:
    - x: input sequence, shape (N, T, D).
    - h0: initial hidden state, shape (N, H).
    - Wx: shape (D, H).
    - Wh: shape (H, H).
    - b: shape (H,).

    Returns a tuple of:
    - h: hidden states for every step, shape (N, T, H); h[:, t] is the state after step t.
    - cache: list of the T step caches, in time order.
    """
    n, steps, _ = x.shape
    h = np.zeros((n, steps, h0.shape[1]))
    cache = []
    prev_h = h0
    for t in range(steps):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    return h, cache


def rnn_backward(dh, cache):
    """Backpropagation through time over a whole sequence.

    Essay link (section 3): walk time backwards; at each step the gradient reaching h[:, t] is the
    upstream dh[:, t] plus what flows back from step t + 1; weight gradients accumulate over steps.

    Inputs:
    - dh: upstream gradient of every hidden state, shape (N, T, H).
    - cache: as returned by rnn_forward.

    Returns a tuple of:
    - dx: shape (N, T, D).
    - dh0: shape (N, H).
    - dWx: shape (D, H).
    - dWh: shape (H, H).
    - db: shape (H,).
    """
    # Hint: walk t from T - 1 down to 0; h[:, t] gets dh[:, t] plus what flows back from t + 1; sum over steps.
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(hidden)
    dprev_h = np.zeros((n, hidden))
    for t in reversed(range(steps)):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db


def clip_grad_norm(grads, max_norm):
    """Scale gradients down so that their global L2 norm is at most max_norm.

    Essay link (section 3): the cure for exploding gradients keeps the direction of the update and
    bounds its length. Clip the norm of all gradients together, not each array on its own.

    Inputs:
    - grads: dict mapping a name to an array of any shape.
    - max_norm: positive float.

    Returns a tuple of:
    - clipped: a new dict with the same keys; every array is multiplied by max_norm / total_norm
      when total_norm > max_norm, and left as it is otherwise. The input dict is not modified.
    - total_norm: float, sqrt of the sum of squares of every element of every array, before clipping.
    """
    # Hint: one norm over every element of every array; scale every array by the same factor, into new arrays.
    total_norm = float(np.sqrt(sum(float(np.sum(g**2)) for g in grads.values())))
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    clipped = {name: g * scale for name, g in grads.items()}
    return clipped, total_norm
