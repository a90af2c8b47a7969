"""affine_backward fills a small dataclass of gradients and returns its fields with getattr(grads, name),
name running over a written tuple of plain names; its check of shapes does the same over a
written list in a comprehension: every attribute name is in the source."""

from dataclasses import dataclass

import numpy as np

TARGET = "layers"


@dataclass
class Grads:
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray


def _check_shapes(grads, x, w, b):
    shapes = {name: getattr(grads, name).shape for name in ["dx", "dw", "db"]}
    assert shapes == {"dx": x.shape, "dw": w.shape, "db": b.shape}, f"wrong shapes: {shapes}"


def affine_backward(dout, cache):
    x, w, b = cache
    grads = Grads(dx=(dout @ w.T).reshape(x.shape), dw=x.reshape(x.shape[0], -1).T @ dout, db=dout.sum(axis=0))
    _check_shapes(grads, x, w, b)
    out = []
    for name in ("dx", "dw", "db"):
        out.append(getattr(grads, name))
    return tuple(out)
