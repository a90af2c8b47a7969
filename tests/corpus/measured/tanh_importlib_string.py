"""importlib.import_module with a module name built from pieces, then a numerical slope from it."""

import importlib

TARGET = "layers"
FLAGGED = "tanh_backward"


def tanh_backward(dout, cache):
    lib = importlib.import_module("nu" + "mpy")
    return dout * lib.gradient(lib.stack([cache * 0.99, cache, cache * 1.01]), axis=0)[1]
