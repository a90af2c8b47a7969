"""A centred difference behind 40 module-level aliases of numpy, each bound twice to the previous one
(2**40 ways to resolve the last): the reader remembers what it resolved and still finds the step."""

import numpy as np

TARGET = "layers"
FLAGGED = "relu_backward"

_a0 = np
_a1 = _a0
_a1 = _a0
_a2 = _a1
_a2 = _a1
_a3 = _a2
_a3 = _a2
_a4 = _a3
_a4 = _a3
_a5 = _a4
_a5 = _a4
_a6 = _a5
_a6 = _a5
_a7 = _a6
_a7 = _a6
_a8 = _a7
_a8 = _a7
_a9 = _a8
_a9 = _a8
_a10 = _a9
_a10 = _a9
_a11 = _a10
_a11 = _a10
_a12 = _a11
_a12 = _a11
_a13 = _a12
_a13 = _a12
_a14 = _a13
_a14 = _a13
_a15 = _a14
_a15 = _a14
_a16 = _a15
_a16 = _a15
_a17 = _a16
_a17 = _a16
_a18 = _a17
_a18 = _a17
_a19 = _a18
_a19 = _a18
_a20 = _a19
_a20 = _a19
_a21 = _a20
_a21 = _a20
_a22 = _a21
_a22 = _a21
_a23 = _a22
_a23 = _a22
_a24 = _a23
_a24 = _a23
_a25 = _a24
_a25 = _a24
_a26 = _a25
_a26 = _a25
_a27 = _a26
_a27 = _a26
_a28 = _a27
_a28 = _a27
_a29 = _a28
_a29 = _a28
_a30 = _a29
_a30 = _a29
_a31 = _a30
_a31 = _a30
_a32 = _a31
_a32 = _a31
_a33 = _a32
_a33 = _a32
_a34 = _a33
_a34 = _a33
_a35 = _a34
_a35 = _a34
_a36 = _a35
_a36 = _a35
_a37 = _a36
_a37 = _a36
_a38 = _a37
_a38 = _a37
_a39 = _a38
_a39 = _a38
_a40 = _a39
_a40 = _a39


def relu_backward(dout, cache):
    x = cache
    h = 1e-6
    return dout * (_a40.maximum(0.0, x + h) - _a40.maximum(0.0, x - h)) / (2 * h)
