"""rnn_step_backward multiplies by np.conj(Wx).T and Wh.conj().T, conjugate transposes of real arrays:
the habit of complex linear algebra, not a complex step."""

import numpy as np

TARGET = "rnn_layers"


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1.0 - next_h**2)
    # adjoint of the linear maps (conjugate transpose; real here)
    dx = da @ np.conj(Wx).T
    dprev_h = da @ Wh.conj().T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db
