"""Correct backwards that make classes from names written out in full (a module-level
dataclasses.make_dataclass and a three-argument type()), collect their gradients from locals(), and
compare a mode flag with "eval": nothing here chooses an attribute name at run time or fetches code,
and every function keeps its points."""

import dataclasses

import numpy as np

TARGET = "layers"

AffineGrads = dataclasses.make_dataclass("AffineGrads", ["dx", "dw", ("db", np.ndarray)])
Record = type("Record", (), {"kind": "relu"})


def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    grads = AffineGrads(**{k: v for k, v in locals().items() if k in ("dx", "dw", "db")})
    return grads.dx, grads.dw, grads.db


def relu_backward(dout, cache, mode="train"):
    """The mode flag copied from a dropout layer: "eval" is a common value."""
    if mode == "eval" or Record.kind != "relu":
        return dout * (cache > 0)
    return dout * (cache > 0)
