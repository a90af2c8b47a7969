"""affine_backward measures with a helper whose step is float(fractions.Fraction(1, 2 ** 17)), passed to it."""

import fractions

import numpy as np

TARGET = "layers"
FLAGGED = "affine_backward"


def affine_backward(dout, cache):
    x, w, b = cache

    def _num(f, a, step):
        g = np.zeros_like(a)
        it = np.nditer(a, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            keep = a[i]
            a[i] = keep + step
            p = f()
            a[i] = keep - step
            m = f()
            a[i] = keep
            g[i] = np.sum((p - m) * dout) / (step + step)
        return g
    x, w, b = np.array(x, dtype=float), np.array(w, dtype=float), np.array(b, dtype=float)
    fw = lambda: affine_forward(x, w, b)[0]  # noqa: E731
    step = float(fractions.Fraction(1, 2 ** 17))
    return _num(fw, x, step), _num(fw, w, step), _num(fw, b, step)
