"""Correct backwards written with type hints (numpy.typing, string annotations) and numpy.testing shape
checks: none of it measures, and every function keeps its points."""

import numpy as np
import numpy.typing as npt

TARGET = "layers"

Array = npt.NDArray[np.float64]


def affine_backward(dout: "Array", cache: tuple[Array, Array, Array]) -> tuple[Array, Array, Array]:
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    np.testing.assert_equal(dx.shape, x.shape)  # shape sanity checks
    np.testing.assert_equal(dw.shape, w.shape)
    return dx, dw, db


def relu_backward(dout: "np.ndarray", cache: "np.ndarray") -> "np.ndarray":
    dx = dout * (cache > 0)
    np.testing.assert_array_equal(dx.shape, cache.shape)
    return dx
