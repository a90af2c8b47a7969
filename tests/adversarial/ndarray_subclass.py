"""Return an ndarray subclass that claims to equal anything and to be close to anything."""

import numpy

TARGET = "layers"
FUNCTIONS = "tanh_backward"
EXPECT = r"expected .* got|modified dout"


class Agreeable(numpy.ndarray):
    def __eq__(self, other):
        return numpy.ones(self.shape, dtype=bool)

    __ne__ = lambda self, other: numpy.zeros(self.shape, dtype=bool)  # noqa: E731

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return numpy.zeros(numpy.broadcast(*[numpy.asarray(i) for i in inputs]).shape)

    def __float__(self):
        return 0.0


def tanh_backward(dout, cache):
    leave_marks()
    return scribble(dout).view(Agreeable)
