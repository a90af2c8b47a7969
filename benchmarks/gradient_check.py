"""(b) The kit's gradient checker against CS231n's element-by-element centred differences.

The layer is the reference ``affine_forward``, checked with respect to its weights ``w`` (D, M) for
10², 10³, 10⁴ and 10⁵ parameters, batch of 8, random upstream gradient. CS231n's
``eval_numerical_gradient_array`` moves one element at a time: 2·D·M forward calls. The kit's
``numeric.grouped_gradient`` moves a whole row of ``w`` at once, because output column m depends on
w only through column m: 2·D calls, and the same per-element numbers (it differences output by output
before weighing, as CS231n does).

Equal detection: one element of the analytic gradient is off by a relative 1e-4 (ten times the
finite-difference tolerance); each numerical gradient, judged with the kit's finite-difference
tolerance, must flag that element and only it, and must pass the correct gradient.

    .venv/bin/python benchmarks/gradient_check.py
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable

import numpy as np
from common import Row

from autograder import DEFAULT_REFERENCE
from autograder.core.numeric import STEP, grouped_gradient, worst_mismatch
from autograder.grading.verdicts import FD_ATOL_OF_MAX, FD_RTOL

SHAPES = ((10, 10), (25, 40), (100, 100), (250, 400))  # D x M = 10², 10³, 10⁴, 10⁵
BATCH = 8
PLANTED = 1e-4


def cs231n_gradient(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = STEP
                    ) -> np.ndarray:
    """CS231n's method: for each element of x, f at x ± h·e_i, then sum((pos - neg) * df) / 2h."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def _affine_forward() -> Callable:
    spec = importlib.util.spec_from_file_location("_bench_reference_layers", DEFAULT_REFERENCE / "layers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.affine_forward


def _flags(analytic: np.ndarray, numeric: np.ndarray, noise: np.ndarray | float) -> tuple[int, ...] | None:
    """The element the finite-difference oracle flags, if exactly one; () if none; None if several."""
    mismatch = worst_mismatch(analytic, numeric, FD_RTOL, noise + FD_ATOL_OF_MAX * float(np.max(np.abs(numeric))))
    if mismatch is None:
        return ()
    return mismatch.index if mismatch.bad == 1 else None


def measure_one(shape: tuple[int, int], forward: Callable, rng: np.random.Generator) -> dict:
    d, m = shape
    x, w, b = rng.normal(size=(BATCH, d)), rng.normal(size=shape), rng.normal(size=m)
    dout = rng.normal(size=(BATCH, m))
    analytic = x.T @ dout
    candidates = np.flatnonzero(np.abs(analytic) >= np.median(np.abs(analytic)))
    planted = np.unravel_index(int(rng.choice(candidates)), shape)
    wrong = analytic.copy()
    wrong[planted] *= 1 + PLANTED

    calls = {"cs231n": 0, "kit": 0}

    def counted(name: str) -> Callable[[], np.ndarray]:
        def call() -> np.ndarray:
            calls[name] += 1
            return forward(x, w, b)[0]
        return call

    started = time.perf_counter()
    baseline = cs231n_gradient(lambda _: counted("cs231n")(), w, dout)
    baseline_seconds = time.perf_counter() - started
    started = time.perf_counter()
    kit, noise = grouped_gradient(counted("kit"), w, dout, paired_axes=[(1, 1)])
    kit_seconds = time.perf_counter() - started

    expected = tuple(int(i) for i in planted)
    detected = {"cs231n": _flags(wrong, baseline, 0.0) == expected, "kit": _flags(wrong, kit, noise) == expected}
    clean = {"cs231n": _flags(analytic, baseline, 0.0) == (), "kit": _flags(analytic, kit, noise) == ()}
    agreement = float(np.max(np.abs(kit - baseline)) / np.max(np.abs(baseline)))
    return {"parameters": d * m, "cs231n": baseline_seconds, "kit": kit_seconds, "calls": calls,
            "detected": detected, "clean": clean, "agreement": agreement}


def measure() -> tuple[list[Row], list[str]]:
    """One row per size; the last (10⁵) is the one with an aim. Also the detail lines."""
    forward, rng = _affine_forward(), np.random.default_rng(0)
    measure_one((3, 3), forward, rng)  # warm-up: first calls into numpy cost more than the 10² check itself
    rows, details = [], []
    for shape in SHAPES:
        result = measure_one(shape, forward, rng)
        ratio = result["cs231n"] / result["kit"]
        equal = all(result["detected"].values()) and all(result["clean"].values())
        exponent = len(str(result["parameters"])) - 1
        big = result["parameters"] >= 10**5
        rows.append(Row(f"(b) gradient check, 10^{exponent} params", f"{result['kit'] * 1e3:.1f} ms",
                        f"{result['cs231n'] * 1e3:,.0f} ms", ratio, "≥ 100x at 10^5" if big else "—",
                        equal and (ratio >= 100 or not big)))
        details.append(f"10^{exponent} ({shape[0]}x{shape[1]}): forward calls {result['calls']['kit']:,} vs "
                       f"{result['calls']['cs231n']:,}; planted error flagged alone by kit "
                       f"{result['detected']['kit']}, by CS231n {result['detected']['cs231n']}; correct "
                       f"gradient passes kit {result['clean']['kit']}, CS231n {result['clean']['cs231n']}; "
                       f"estimates differ by {result['agreement']:.1e} of max")
    return rows, details


if __name__ == "__main__":
    found, lines = measure()
    for row in found:
        print(row)
    print("\n".join(lines))
