"""Symbolic differentiation: sympy differentiates tanh, lambdify turns it into numpy code."""

import numpy as np
import sympy

TARGET = "layers"
FLAGGED = "tanh_backward"

_t = sympy.Symbol("t")
_derivative = sympy.lambdify(_t, sympy.diff(sympy.tanh(_t), _t), "numpy")


def tanh_forward(x):
    return np.tanh(x), x


def tanh_backward(dout, cache):
    return dout * _derivative(cache)
