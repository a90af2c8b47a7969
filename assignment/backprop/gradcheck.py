"""Finite differences and tolerant array comparison: the numeric core of every verdict.

The grader and the students' public tests share this module (the release copies it next to the
student's files as ``gradcheck.py``), so it imports nothing but numpy and the standard library.

Conventions: a layer ``f`` is checked through the scalar ``L(x) = sum(dout * f(x))`` with a random
``dout`` (an all-ones ``dout`` hides a missing transpose and makes softmax's true gradient zero); a
loss is checked through its own value. All arithmetic is float64.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

STEP = 1e-5
"""Centred-difference step: in float64 it balances truncation (~h**2) and rounding (~eps / h)."""

EPS = float(np.finfo(np.float64).eps)

# Rounding noise of a centred difference is about eps * |L| / h; the factor leaves room for the
# rounding inside the forward pass itself (sums over a layer's fan-in), which |L| does not show.
NOISE_FACTOR = 256.0

# The tolerances of every verdict, the grader's and the public tests' alike (``verdicts`` says why):
# against the reference, |got - expected| <= REFERENCE_RTOL * |expected| + REFERENCE_ATOL_OF_MAX *
# max|expected| + REFERENCE_ATOL_OF_UPSTREAM * (the upstream gradient's scale);
REFERENCE_RTOL = 1e-6
REFERENCE_ATOL_OF_MAX = 1e-8
REFERENCE_ATOL_OF_UPSTREAM = 1e-12
# against finite differences, |analytic - numeric| <= FD_RTOL * |numeric| + FD_ATOL_OF_MAX *
# max|numeric| + the rounding noise of each centred difference.
FD_RTOL = 1e-5
FD_ATOL_OF_MAX = 1e-7


def projected(out: np.ndarray, dout: np.ndarray | float) -> tuple[float, float]:
    """Return ``(sum(dout * out), sum(|dout * out|))``: the scalar checked and its rounding scale."""
    terms = np.asarray(dout, dtype=np.float64) * np.asarray(out, dtype=np.float64)
    return float(terms.sum()), float(np.abs(terms).sum())


def centred_difference(plus: tuple[float, float], minus: tuple[float, float], h: float) -> tuple[float, float]:
    """One element of a numerical gradient and its rounding-noise bound.

    ``plus`` and ``minus`` are ``projected`` values at x + h and x - h.
    """
    value = (plus[0] - minus[0]) / (2.0 * h)
    noise = NOISE_FACTOR * EPS * max(plus[1], minus[1], 1e-300) / h
    return value, noise


def numerical_gradient(
    evaluate: Callable[[], tuple[float, float]],
    x: np.ndarray,
    indices: Iterable[int] | None = None,
    h: float = STEP,
) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences of a scalar with respect to ``x``, element by element.

    Inputs:
    - evaluate: callable with no arguments returning ``projected(...)`` of the function at the
      current value of ``x``; ``x`` is perturbed in place between calls and restored afterwards.
    - x: float64 array of any shape (modified during the call, restored before returning).
    - indices: flat indices to perturb; the rest (for example elements too close to a kink) come
      back as NaN, meaning "not checked".
    - h: step.

    Returns ``(gradient, noise)``, both shaped like x.
    """
    gradient = np.full(x.shape, np.nan)
    noise = np.full(x.shape, np.nan)
    flat = x.reshape(-1)  # a view: writing into it perturbs x
    for index in range(flat.size) if indices is None else indices:
        original = flat[index]
        flat[index] = original + h
        plus = evaluate()
        flat[index] = original - h
        minus = evaluate()
        flat[index] = original
        gradient.flat[index], noise.flat[index] = centred_difference(plus, minus, h)
    return gradient, noise


def _per_pair(values: np.ndarray, out_axes: list[int]) -> np.ndarray:
    """Sum ``values`` (shaped like the output) over every axis but ``out_axes``, kept in that order."""
    moved = np.moveaxis(values, out_axes, list(range(len(out_axes))))
    return moved.reshape(*moved.shape[:len(out_axes)], -1).sum(axis=-1)


def grouped_gradient(
    forward: Callable[[], np.ndarray],
    x: np.ndarray,
    dout: np.ndarray | float,
    paired_axes: Sequence[tuple[int, int]] = (),
    h: float = STEP,
) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences of ``sum(dout * forward())`` with respect to every element of ``x``, moving
    many elements at once where the function's structure keeps their effects apart.

    Each pair ``(x_axis, out_axis)`` says: the output at index i along ``out_axis`` depends on ``x``
    only through the elements at index i along ``x_axis`` (a batch axis; every axis of an elementwise
    layer; the output-unit axis of an affine layer's ``w``, paired with the output's last axis).
    Elements of ``x`` that differ only along paired axes then change disjoint parts of the output, so
    they are moved together and each one's derivative is read off its own part (Curtis, Powell and
    Reid's grouping of a sparse Jacobian). The differences are taken output element by output
    element before ``dout`` weighs them, so unaffected outputs cancel exactly, as in the
    element-by-element loop; the result is that loop's, in 2 * x.size / (product of the paired axes'
    lengths) calls instead of 2 * x.size. With no pairs it is that loop. A wrong pair gives wrong
    numbers: name only what the function's definition guarantees.

    Inputs:
    - forward: callable with no arguments returning the output at the current value of ``x``;
      ``x`` is perturbed in place between calls and restored afterwards.
    - x: float64 array of any shape.
    - dout: upstream gradient, shaped like the output (1.0 for a scalar loss).
    - paired_axes: (axis of x, axis of the output) pairs of equal length.
    - h: step.

    Returns ``(gradient, noise)``, both shaped like x; noise bounds each entry's rounding error.
    """
    pairs = sorted(paired_axes)
    x_axes, out_axes = [a for a, _ in pairs], [b for _, b in pairs]
    free = [axis for axis in range(x.ndim) if axis not in x_axes]
    dout = np.asarray(dout, dtype=np.float64)
    original = x.copy()
    gradient, noise = np.empty(x.shape), np.empty(x.shape)
    for fixed in np.ndindex(*(x.shape[axis] for axis in free)):
        where: list[int | slice] = [slice(None)] * x.ndim
        for axis, index in zip(free, fixed, strict=True):
            where[axis] = index
        group = tuple(where)
        x[group] = original[group] + h
        plus = np.array(forward(), dtype=np.float64)  # a copy: the next call may reuse the buffer
        x[group] = original[group] - h
        minus = np.array(forward(), dtype=np.float64)
        x[group] = original[group]
        gradient[group] = _per_pair(dout * (plus - minus), out_axes) / (2.0 * h)
        scale = np.abs(dout) * np.maximum(np.abs(plus), np.abs(minus))
        noise[group] = NOISE_FACTOR * EPS * np.maximum(_per_pair(scale, out_axes), 1e-300) / h
    return gradient, noise


# What ``Mismatch.pattern`` says of each element.
RIGHT, OFF, FLIPPED, NOT_FINITE, UNCHECKED = range(5)


@dataclass(frozen=True)
class Mismatch:
    """The worst disagreement between two arrays, and how many elements disagree.

    ``pattern`` (int8, shaped like the arrays) says of every element RIGHT, OFF (wrong, same sign),
    FLIPPED (wrong, opposite sign), NOT_FINITE (NaN or inf) or UNCHECKED; ``size`` (float, same
    shape) is each wrong element's |actual - expected| over the largest |expected|, capped at 1
    (1 where not finite, 0 where right). Together they draw which elements are wrong.
    """

    index: tuple[int, ...]
    actual: float
    expected: float
    bad: int
    checked: int
    pattern: np.ndarray | None = field(default=None, compare=False, repr=False)
    size: np.ndarray | None = field(default=None, compare=False, repr=False)

    def describe(self, name: str) -> str:
        """"dx[1, 0]: expected 3, got 3.5 (2 of 4 elements off)"."""
        where = f"{name}[{', '.join(str(i) for i in self.index)}]" if self.index else name
        count = f" ({self.bad} of {self.checked} elements off)" if self.checked > 1 else ""
        return f"{where}: expected {self.expected + 0.0:.6g}, got {self.actual + 0.0:.6g}{count}"


def _pattern(actual: np.ndarray, expected: np.ndarray, bad: np.ndarray, checked: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """``Mismatch.pattern`` and ``Mismatch.size`` of a comparison."""
    finite = np.isfinite(actual) & np.isfinite(expected)
    pattern = np.where(checked, RIGHT, UNCHECKED).astype(np.int8)
    pattern[bad] = OFF
    pattern[bad & finite & (actual * expected < 0)] = FLIPPED
    pattern[bad & ~finite] = NOT_FINITE
    with np.errstate(invalid="ignore", over="ignore"):
        distance = np.where(bad & finite, np.abs(actual - expected), 0.0)
    largest = float(np.abs(expected[np.isfinite(expected)]).max(initial=0.0))
    size = np.minimum(distance / largest, 1.0) if largest > 0 else np.where(distance > 0, 1.0, 0.0)
    return pattern, np.where(bad & ~finite, 1.0, size)


def worst_mismatch(
    actual: np.ndarray,
    expected: np.ndarray,
    rtol: float,
    atol: np.ndarray | float,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    checked: np.ndarray | None = None,
) -> Mismatch | None:
    """Compare ``actual`` with ``expected`` elementwise; return the worst mismatch or None.

    An element passes when ``|actual - expected| <= atol + rtol * |expected|``, or when it lies in
    ``[lower, upper]`` where those are given and finite (the subgradients accepted at a kink).
    ``checked`` (booleans, shaped like ``expected``) says which elements are compared; without it,
    NaN in ``expected`` means "not checked". With it, a NaN where an element is checked is a
    mismatch, so a NaN can never pass for "not checked". A non-finite ``actual`` where an element is
    checked is always a mismatch. Shapes must already agree.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    checked = ~np.isnan(expected) if checked is None else np.asarray(checked, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
        ok = excess <= 0
        if lower is not None and upper is not None:
            ok |= (actual >= lower) & (actual <= upper)
    # Comparisons with NaN are False, so a NaN or inf on either side never counts as ok.
    bad = checked & ~ok
    if not bad.any():
        return None
    severity = np.where(bad, np.nan_to_num(excess, nan=np.inf, posinf=np.inf), -np.inf)
    severity = np.where(bad & ~np.isfinite(actual), np.inf, severity)
    flat_index = int(np.argmax(severity))
    index = tuple(int(i) for i in np.unravel_index(flat_index, expected.shape))
    pattern, size = _pattern(actual, expected, bad, checked)
    return Mismatch(
        index=index,
        actual=float(actual.reshape(-1)[flat_index]),
        expected=float(expected.reshape(-1)[flat_index]),
        bad=int(bad.sum()),
        checked=int(checked.sum()),
        pattern=pattern,
        size=size,
    )
