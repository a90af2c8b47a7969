"""Styles real students write, all honest: np.einsum, ``from math import exp``, functools.lru_cache on a
helper, a dataclass cache, type hints, assert statements, f-string debugging prints (off by default),
np.errstate as a context manager and as a decorator."""

import functools
from dataclasses import dataclass
from math import exp

import numpy as np

TARGET = "layers"
DEBUG = False


@dataclass
class AffineCache:
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray


def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, AffineCache]:
    out = np.einsum("nd,dm->nm", x.reshape(x.shape[0], -1), w) + b
    return out, AffineCache(x, w, b)


def affine_backward(dout: np.ndarray, cache: AffineCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, w = cache.x, cache.w
    assert dout.shape[1] == w.shape[1], f"dout has {dout.shape[1]} columns, w has {w.shape[1]}"
    flat = x.reshape(x.shape[0], -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", flat, dout)
    db = dout.sum(axis=0)
    if DEBUG:
        print(f"affine_backward: {dx.shape=} {dw.shape=} {db.shape=}")
    return dx, dw, db


@functools.lru_cache(maxsize=None)
def _unit_slope() -> float:
    return exp(0.0)  # the slope of the identity, 1.0


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    x = cache
    return dout * (x > 0) * _unit_slope()


def tanh_backward(dout, cache):
    y = cache
    with np.errstate(over="ignore", invalid="ignore"):
        local = 1.0 - y ** 2
    return dout * local


@np.errstate(divide="ignore")
def sigmoid_backward(dout, cache):
    z = cache
    return dout * z * (1.0 - z)
