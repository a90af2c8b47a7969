"""rnn step caches a dict and uses (1 - h) * (1 + h); rnn_backward is rewritten for that cache."""

import numpy as np

TARGET = "rnn_layers"


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    h = np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)
    return h, {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "h": h}


def rnn_step_backward(dnext_h, cache):
    h = cache["h"]
    dpre = dnext_h * (1.0 - h) * (1.0 + h)
    dx = np.dot(dpre, cache["Wx"].T)
    dprev_h = np.dot(dpre, cache["Wh"].T)
    dWx = np.dot(cache["x"].T, dpre)
    dWh = np.dot(cache["prev_h"].T, dpre)
    return dx, dprev_h, dWx, dWh, dpre.sum(axis=0)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]["Wx"].shape[0]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dnext = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t], dnext, gWx, gWh, gb = rnn_step_backward(dh[:, t] + dnext, cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
    return dx, dnext, dWx, dWh, db
