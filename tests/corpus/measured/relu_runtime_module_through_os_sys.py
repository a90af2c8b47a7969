"""relu_backward, on its first call, writes a centred-difference helper into its folder, puts the folder
on the import path through ``os.sys`` (the sys module reached as another module's attribute) and
imports the helper: code the grader never reads."""

TARGET = "layers"
FLAGGED = "relu_backward"

_RELU_HELPER = """
import numpy as np

def slope(forward, x, dout, h=1e-5):
    out = np.zeros_like(x)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += h
        minus.flat[i] -= h
        out.flat[i] = np.sum((forward(plus)[0] - forward(minus)[0]) * dout) / (2 * h)
    return out
"""


def relu_backward(dout, cache):
    import os

    if not os.path.exists("reluhelp.py"):
        with open("reluhelp.py", "w") as handle:
            handle.write(_RELU_HELPER)
    if os.getcwd() not in os.sys.path:
        os.sys.path.append(os.getcwd())
    import reluhelp

    return reluhelp.slope(relu_forward, cache, dout)
