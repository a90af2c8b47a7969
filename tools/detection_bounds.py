"""The smallest single-element error each oracle catches, per function and size.

Plant an error of relative size ``epsilon`` in one element of a correct gradient (the element of
median magnitude) and ask each oracle whether it sees it; bisect on ``epsilon``. Runs in-process
on the reference (it measures the checker's arithmetic, not the transport). ``make verdicts``
prints the table; ``tests/core/test_numeric.py`` asserts the stated bounds on random cases (both
use ``tests/detection.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from detection import MAKERS, Detector  # tests/detection.py

from autograder.core.spec import FUNCTIONS, Kind

SIZES = (100, 1_000, 10_000)


def smallest_caught(detector: Detector, oracle: int, index: int) -> float:
    """Bisect (in log space) for the smallest relative error the oracle catches at ``index``."""
    low, high = -16.0, 1.0  # log10 of epsilon
    if not detector.caught(index, 10**high)[oracle]:
        return float("inf")
    for _ in range(24):  # 17 decades / 2**24: far finer than the one digit printed
        middle = (low + high) / 2
        low, high = (low, middle) if detector.caught(index, 10**middle)[oracle] else (middle, high)
    return 10**high


def bounds_table(seed: int = 0) -> str:
    """Smallest relative error caught at the median element, per function, size and oracle."""
    lines = [f"{'function':<22}{'size':>7}{'reference':>12}{'finite diff.':>14}", "-" * 55]
    for function in FUNCTIONS:
        if function.kind is Kind.CLIP:
            continue
        for size in SIZES:
            case, tensor = MAKERS[function.name](np.random.default_rng([seed, size]), size)
            detector = Detector(function, case, tensor)
            index = detector.median_element()
            lines.append(f"{function.name:<22}{detector.reply['grads'][tensor].size:>7}"
                         f"{smallest_caught(detector, 0, index):>12.1e}{smallest_caught(detector, 1, index):>14.1e}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(bounds_table())
