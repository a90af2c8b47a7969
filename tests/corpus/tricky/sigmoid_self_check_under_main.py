"""An analytic sigmoid_backward and the student's own finite-difference self-check, which only runs under
if __name__ == "__main__" and in a function the backward never calls."""

import numpy as np

TARGET = "layers"


def sigmoid_backward(dout, cache):
    return dout * cache * (1.0 - cache)


def _self_check(h=1e-5):
    x = np.random.randn(4, 3)
    dout = np.random.randn(4, 3)
    z, cache = sigmoid_forward(x)
    numeric = (sigmoid_forward(x + h)[0] - sigmoid_forward(x - h)[0]) / (2 * h) * dout
    return np.max(np.abs(numeric - sigmoid_backward(dout, cache)))


if __name__ == "__main__":
    import gradcheck

    print(_self_check(), gradcheck.STEP)
