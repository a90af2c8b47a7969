"""numeric.grouped_gradient: the element-by-element centred differences, in fewer forward calls."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.core.numeric import grouped_gradient, worst_mismatch
from autograder.grading.verdicts import FD_ATOL_OF_MAX, FD_RTOL


def _one_at_a_time(forward, x: np.ndarray, dout) -> np.ndarray:
    """CS231n's loop: one element at a time, differences taken output by output."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + 1e-5
        plus = np.array(forward())
        x[index] = old - 1e-5
        minus = np.array(forward())
        x[index] = old
        gradient[index] = np.sum(dout * (plus - minus)) / 2e-5
    return gradient


def _counting(forward):
    calls = []

    def call():
        calls.append(1)
        return forward()
    return call, calls


RNG = np.random.default_rng(7)
X, W, B = RNG.normal(size=(5, 4)), RNG.normal(size=(4, 6)), RNG.normal(size=6)
H0, WH = RNG.normal(size=(3, 2)), RNG.normal(size=(2, 2)) * 0.5
XS = RNG.normal(size=(3, 7, 2))


def _rnn() -> np.ndarray:
    h, states = H0, []
    for t in range(XS.shape[1]):
        h = np.tanh(XS[:, t] + h @ WH)
        states.append(h)
    return np.stack(states, axis=1)


CASES = {  # name: (forward, x, upstream shape, paired axes, calls expected)
    "affine w": (lambda: X @ W + B, W, (5, 6), [(1, 1)], 2 * 4),
    "affine x": (lambda: X @ W + B, X, (5, 6), [(0, 0)], 2 * 4),
    "affine b": (lambda: X @ W + B, B, (5, 6), [(0, 1)], 2),
    "sigmoid": (lambda: 1 / (1 + np.exp(-XS)), XS, (3, 7, 2), [(0, 0), (1, 1), (2, 2)], 2),
    "rnn over the batch": (_rnn, XS, (3, 7, 2), [(0, 0)], 2 * 7 * 2),
    "scalar loss": (lambda: np.float64(np.sum(X ** 2) / 2), X, (), [], 2 * 20),
}


@pytest.mark.parametrize("name", CASES)
def test_same_numbers_as_one_element_at_a_time_in_fewer_calls(name: str) -> None:
    forward, x, shape, pairs, expected_calls = CASES[name]
    dout = RNG.normal(size=shape) if shape else 1.0
    before = x.copy()
    counted, calls = _counting(forward)
    gradient, noise = grouped_gradient(counted, x, dout, pairs)
    assert len(calls) == expected_calls
    assert np.array_equal(x, before)  # restored exactly
    baseline = _one_at_a_time(forward, x, dout)
    assert np.max(np.abs(gradient - baseline)) <= 1e-12 * np.max(np.abs(baseline))
    assert np.all(noise > 0) and np.all(noise < 1e-6)


def test_a_planted_single_element_error_is_flagged_alone() -> None:
    dout = RNG.normal(size=(5, 6))
    analytic = X.T @ dout
    gradient, noise = grouped_gradient(lambda: X @ W + B, W, dout, [(1, 1)])
    atol = noise + FD_ATOL_OF_MAX * np.max(np.abs(gradient))
    assert worst_mismatch(analytic, gradient, FD_RTOL, atol) is None
    wrong = analytic.copy()
    wrong[2, 3] *= 1 + 1e-4
    found = worst_mismatch(wrong, gradient, FD_RTOL, atol)
    assert found is not None and found.index == (2, 3) and found.bad == 1
