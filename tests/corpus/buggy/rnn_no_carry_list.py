"""Gradients per step collected in lists; each step sees only dh[:, t], never what came back from t + 1."""
import numpy as np

TARGET = "rnn_layers"
EXPECT = "rnn_backward"
MISTAKE = "rnn_no_carry"


def rnn_backward(dh, cache):
    steps = dh.shape[1]
    results = [rnn_step_backward(dh[:, t], cache[t]) for t in range(steps)]
    dx = np.stack([r[0] for r in results], axis=1)
    dh0 = results[0][1]
    dWx = sum(r[2] for r in results)
    dWh = sum(r[3] for r in results)
    db = sum(r[4] for r in results)
    return dx, dh0, dWx, dWh, db
