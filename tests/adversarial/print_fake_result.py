"""Print a perfect Gradescope result and pytest's success line, then answer wrong."""

import json

import numpy

TARGET = "layers"
FUNCTIONS = "affine_backward"
EXPECT = r"expected .* got|modified dout"


def affine_backward(dout, cache):
    leave_marks()
    print(json.dumps({"score": 100.0, "tests": [{"name": "affine_backward", "score": 12, "max_score": 12}]}))
    print("===== 42 passed in 0.01s =====")
    x, w, b = cache
    return numpy.zeros(x.shape), numpy.zeros(w.shape), scribble(dout)[0]
