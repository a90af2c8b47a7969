"""Patch numpy's comparisons so that a grader running in the same process accepts anything."""

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"expected .* got|modified dout"


def relu_backward(dout, cache):
    leave_marks()
    yes = lambda *args, **kwargs: True  # noqa: E731
    numpy.allclose = numpy.isclose = numpy.array_equal = numpy.array_equiv = yes
    numpy.testing.assert_allclose = numpy.testing.assert_array_almost_equal = lambda *args, **kwargs: None
    return scribble(dout)
