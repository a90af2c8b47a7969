"""A vanilla recurrent network and gradient-norm clipping for the backprop assignment.

Essay link (section 3, exploding gradients in RNNs): backprop through time multiplies the gradient
by Wh.T (and tanh's local gradient) at every step, so it explodes when the spectral radius of Wh
exceeds 1 and vanishes when it is below 1. Clipping the global gradient norm tames the explosion.

The forward passes are given; write every backward pass and clip_grad_norm. Arrays are float64; a
backward must not modify its upstream gradient or its cache. Run ``pytest`` in this folder.
"""

import numpy as np


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a vanilla RNN: ``next_h = tanh(x @ Wx + prev_h @ Wh + b)``.

    Inputs:
    - x: input at this step, shape (N, D).
    - prev_h: hidden state from the previous step, shape (N, H).
    - Wx: input-to-hidden weights, shape (D, H).
    - Wh: hidden-to-hidden weights, shape (H, H).
    - b: biases, shape (H,).

    Returns a tuple of:
    - next_h: shape (N, H).
    - cache: (x, prev_h, Wx, Wh, next_h).
    """
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    """Backward pass of one RNN time step.

    Essay link (section 3): the factor (1 - next_h**2) * ... @ Wh.T applied here once per step is
    what, repeated T times, explodes or vanishes.

    Inputs:
    - dnext_h: gradient of the loss with respect to next_h, shape (N, H).
    - cache: (x, prev_h, Wx, Wh, next_h) as saved by rnn_step_forward.

    Returns a tuple of:
    - dx: shape (N, D).
    - dprev_h: shape (N, H).
    - dWx: shape (D, H).
    - dWh: shape (H, H).
    - db: shape (H,).
    """
    x, prev_h, Wx, Wh, next_h = cache
    # Gợi ý: trước hết là gradient qua tanh (cache chứa next_h), rồi qua cả hai phép nhân ma trận.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("rnn_step_backward chưa được viết")
    return dx, dprev_h, dWx, dWh, db


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
    # Gợi ý: cho t chạy từ T - 1 về 0; h[:, t] nhận dh[:, t] cộng với phần chảy ngược về từ t + 1; cộng dồn qua các bước.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("rnn_backward chưa được viết")
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
    # Gợi ý: một chuẩn duy nhất trên mọi phần tử của mọi mảng; nhân mọi mảng với cùng một hệ số, ra các mảng mới.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("clip_grad_norm chưa được viết")
    return clipped, total_norm
